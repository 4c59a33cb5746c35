using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Transforms;

namespace IntegrationHub.Jobs.Steps;

/// <summary>What the job steps share about their <c>input</c> mapping and payload.</summary>
internal static class StepInput
{
    /// <summary>Checks the step's <c>input</c> mapping (the run engine applies it to the previous output).</summary>
    public static IEnumerable<FieldError> Validate(FlowStep step, string at)
    {
        if (step.Input is { } input && !RecordMapping.TryCompile(input, $"{at}.input", out _, out var errors))
        {
            return errors.SelectMany(e => e.Value.Select(m => new FieldError(e.Key, m)));
        }

        return [];
    }

    /// <summary>
    /// The input as a JSON object: an object as it is, nothing as <c>{}</c>, anything else wrapped as
    /// <c>{"input": ...}</c> (a webhook body, and Spark's <c>args</c>/<c>conf</c>, are read from an object).
    /// </summary>
    public static JsonElement AsObject(JsonElement? input) => input switch
    {
        { ValueKind: JsonValueKind.Object } value => value,
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => JsonSerializer.SerializeToElement(new { }),
        { } value => JsonSerializer.SerializeToElement(new { input = value }),
    };
}
