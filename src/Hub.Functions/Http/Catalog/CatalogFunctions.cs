using IntegrationHub.Connectors;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Jobs;
using IntegrationHub.Jobs.N8n;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Http.Catalog;

/// <summary>
/// The catalog: <c>GET /api/v1/integrations/available?category=&amp;q=</c>, what a tenant can
/// connect — the built-in connectors with their schemas, and the n8n workflows that carry the agreed tag
/// (<c>N8n__WorkflowTag</c>), discovered live through n8n's public API and usable as <c>n8n</c> flow steps.
/// </summary>
[Requires(Access.TenantOrAdmin)]
[Tags("Integrations")]
public sealed class CatalogFunctions(IConnectorCatalog catalog, IOptions<N8nOptions> n8nOptions, IServiceProvider services)
{
    /// <summary>An n8n workflow offered in the catalog.</summary>
    /// <param name="Id">The catalog id: <c>n8n:{workflowId}</c>.</param>
    /// <param name="WorkflowId">The id to put in an <c>n8n</c> step's <c>settings.workflowId</c>.</param>
    /// <param name="DisplayName">The workflow's name in n8n.</param>
    /// <param name="Kind">Always <c>n8n</c>.</param>
    /// <param name="Category">Always <c>workflows</c>.</param>
    /// <param name="Active">Whether n8n has it active (only active workflows answer their webhook).</param>
    /// <param name="Tags">Its n8n tags.</param>
    public sealed record CatalogWorkflow(string Id, string WorkflowId, string DisplayName, string Kind, string Category, bool Active, IReadOnlyList<string> Tags);

    /// <summary>The catalog: connectors, workflows, every category, and the state of each source that was asked.</summary>
    public sealed record CatalogResponse(IReadOnlyList<ConnectorDescriptor> Items, IReadOnlyList<CatalogWorkflow> Workflows, IReadOnlyList<string> Categories, IReadOnlyDictionary<string, string> Sources);

    /// <summary>200 with the connectors and workflows matching <c>category</c> and <c>q</c> (case-insensitive text in name or description).</summary>
    [Function("ListAvailableIntegrations")]
    [QueryParameter("category", typeof(string), "Only this category (e.g. chat, workflows).")]
    [QueryParameter("q", typeof(string), "Text in the name or description.")]
    [EndpointSummary("Connectors and tagged n8n workflows the hub offers, filtered by category and text, with their configuration and credential schemas")]
    [ProducesResponseType<CatalogResponse>(StatusCodes.Status200OK)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/integrations/available")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var category = Query.Text(request, "category");
        var q = Query.Text(request, "q");
        var items = catalog.Search(category, q);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal) { ["connectors"] = "ok" };
        var workflows = new List<CatalogWorkflow>();
        if (!n8nOptions.Value.IsConfigured)
        {
            sources["n8n"] = "not_configured";
        }
        else if (category is null || string.Equals(category, "workflows", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                await foreach (var workflow in services.GetRequiredService<N8nClient>().ListWorkflowsAsync(cancellationToken))
                {
                    if (q is null || workflow.Name.Contains(q, StringComparison.OrdinalIgnoreCase))
                    {
                        workflows.Add(new CatalogWorkflow($"n8n:{workflow.Id}", workflow.Id, workflow.Name, "n8n", "workflows", workflow.Active, workflow.Tags));
                    }
                }

                sources["n8n"] = "ok";
            }
            catch (JobEngineException e)
            {
                // The connectors are still offered; the caller sees why the workflows are missing.
                sources["n8n"] = $"unavailable: {e.Message}";
            }
        }

        var categories = catalog.All.Select(d => d.Category).Append(n8nOptions.Value.IsConfigured ? "workflows" : null).OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new CatalogResponse(items, workflows, categories, sources));
    }
}
