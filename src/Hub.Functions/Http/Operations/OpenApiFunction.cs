using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Operations;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3.1 document of every HTTP function (<see cref="OpenApiDocument"/>).</summary>
[Requires(Access.Anonymous)]
[Tags("Operations")]
public static class OpenApiFunction
{
    /// <summary>200 with the document.</summary>
    [Function("OpenApi")]
    [EndpointSummary("The API's OpenAPI 3.1 document")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/json")]
    public static IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/openapi.json")] HttpRequest request) =>
        TypedResults.Text(OpenApiDocument.Json, "application/json; charset=utf-8");
}
