namespace IntegrationHub.Functions.Functions.OpenApi;

/// <summary>The <c>OpenApi</c> function: the API's OpenAPI document at <c>/api/openapi.json</c>.</summary>
public static class OpenApiEndpoints
{
    /// <summary>Maps the document.</summary>
    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/api/openapi.json").AllowAnonymous();
        return endpoints;
    }
}
