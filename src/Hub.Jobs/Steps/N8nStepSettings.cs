using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntegrationHub.Jobs.Steps;

/// <summary>The <c>settings</c> of an <c>n8n</c> flow step.</summary>
public sealed record N8nStepSettings
{
    /// <summary>The n8n workflow to run: active, with a Webhook trigger, and carrying the tag <c>N8n__WorkflowTag</c>.</summary>
    [Required]
    [JsonPropertyName("workflowId")]
    public string? WorkflowId { get; init; }
}
