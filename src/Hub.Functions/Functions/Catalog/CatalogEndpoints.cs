using IntegrationHub.Connectors;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IntegrationHub.Functions.Functions.Catalog;

/// <summary>The <c>Catalog</c> function: <c>GET /api/v1/integrations/available?category=&amp;q=</c>, for a tenant's key or the operator's.</summary>
public static class CatalogEndpoints
{
    /// <summary>The catalog answer.</summary>
    /// <param name="Items">Matching connectors, each with its configuration and credential JSON Schemas, streams and actions.</param>
    /// <param name="Categories">Every category in the catalog, for a filter UI.</param>
    public sealed record CatalogResponse(IReadOnlyList<ConnectorDescriptor> Items, IReadOnlyList<string> Categories);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/integrations/available", Get)
            .WithName("ListAvailableIntegrations")
            .WithTags("Integrations")
            .RequireAuthorization(Caller.TenantOrAdminPolicy)
            .Produces<CatalogResponse>()
            .WithSummary("Connectors the hub offers, filtered by category and text, with their configuration and credential schemas");
        return endpoints;
    }

    private static Ok<CatalogResponse> Get(IConnectorCatalog catalog, string? category, string? q)
    {
        var items = catalog.Search(category, q);
        var categories = catalog.All.Select(d => d.Category).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new CatalogResponse(items, categories));
    }
}
