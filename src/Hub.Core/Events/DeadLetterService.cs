using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Core.Events;

/// <summary>
/// A tenant's dead letters as the API handles them, like credentials and integrations: another tenant's letter
/// does not exist (<see cref="ResourceNotFoundException"/>), a letter is replayed at most once
/// (<see cref="ResourceConflictException"/>), and a sink that refuses the replay is a
/// <see cref="DependencyRefusedException"/> (transient or for good, as the sink said).
/// </summary>
public sealed class DeadLetterService(DeadLetterStore letters)
{
    /// <summary>The resource name in messages.</summary>
    public const string Kind = "Dead letter";

    private static readonly ResourceRefusals Refuse = new(Kind);

    /// <summary>A dead letter.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such dead letter.</exception>
    public async Task<DeadLetter> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        await Refuse.FoundAsync(letters.GetAsync(tenantId, id, cancellationToken), id);

    /// <summary>A page of the tenant's dead letters, newest first; replayed ones only when <paramref name="includeReplayed"/>.</summary>
    /// <exception cref="ValidationFailedException">On <c>continuationToken</c>.</exception>
    public Task<Page<DeadLetter>> ListAsync(string tenantId, bool includeReplayed, int limit, string? continuationToken, CancellationToken cancellationToken) =>
        letters.ListAsync(tenantId, includeReplayed, limit, continuationToken, cancellationToken);

    /// <summary>Publishes the letter's event again; once the sink accepts it the letter is marked replayed.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such dead letter.</exception>
    /// <exception cref="ResourceConflictException">It was replayed already.</exception>
    /// <exception cref="DependencyRefusedException">The sink refused the event again.</exception>
    public async Task<DeadLetter> ReplayAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        var letter = await GetAsync(tenantId, id, cancellationToken);
        if (letter.ReplayedAt is not null)
        {
            throw new ResourceConflictException($"Dead letter '{id}' was already replayed at {letter.ReplayedAt:u}.");
        }

        try
        {
            return await letters.ReplayAsync(letter, cancellationToken);
        }
        catch (EventPublishException e)
        {
            throw new DependencyRefusedException("The sink refused the event again.", e.Message, e.IsTransient, e);
        }
    }
}
