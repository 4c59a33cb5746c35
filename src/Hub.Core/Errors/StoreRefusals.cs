using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Errors;

/// <summary>
/// Turns what the store layer refuses before sending anything into the API's field errors, in one place:
/// a continuation token that is not the hub's for that list becomes a <see cref="ValidationFailedException"/>
/// on <c>continuationToken</c> (400, not a 503 "store unavailable"); a caller-named id that breaks
/// <see cref="DocumentIds"/> becomes one on the field it came from.
/// </summary>
public static class StoreRefusals
{
    /// <summary>The field name continuation-token errors are reported under.</summary>
    public const string ContinuationTokenField = "continuationToken";

    /// <summary>Awaits a store call, translating its refusals.</summary>
    /// <param name="call">The store call (a page query, a create).</param>
    /// <param name="idField">The request field a document id came from (<c>id</c>, <c>name</c>).</param>
    /// <exception cref="ValidationFailedException">The token or an id was refused.</exception>
    public static async Task<T> Translate<T>(Task<T> call, string idField = "id")
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call;
        }
        catch (InvalidContinuationTokenException e)
        {
            throw new ValidationFailedException(ContinuationTokenField, e.Reason);
        }
        catch (InvalidDocumentIdException e)
        {
            throw new ValidationFailedException(idField, e.Reason);
        }
    }
}
