using System.Net;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>A write lost an optimistic-concurrency race: the document changed since it was read (Cosmos 412).</summary>
public sealed class ConcurrencyConflictException(string message, Exception? inner = null) : Exception(message, inner)
{
}

/// <summary>A create found a document with the same id already there (Cosmos 409).</summary>
public sealed class DocumentExistsException(string message, Exception? inner = null) : Exception(message, inner)
{
}

internal static class CosmosErrors
{
    public static bool IsNotFound(this CosmosException e) => e.StatusCode == HttpStatusCode.NotFound;

    public static bool IsPreconditionFailed(this CosmosException e) => e.StatusCode == HttpStatusCode.PreconditionFailed;

    public static bool IsConflict(this CosmosException e) => e.StatusCode == HttpStatusCode.Conflict;
}
