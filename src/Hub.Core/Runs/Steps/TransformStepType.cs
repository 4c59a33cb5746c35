using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Transforms;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary><c>transform</c>: maps each record (or the previous output) with a declarative <see cref="RecordMapping"/>.</summary>
public sealed class TransformStepType : IRecordStepType
{
    /// <inheritdoc />
    public string Type => "transform";

    /// <inheritdoc />
    public StepRole Role => StepRole.Record;

    /// <inheritdoc />
    public Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken)
    {
        if (step.Mapping is not { } mapping)
        {
            return Task.FromResult<IReadOnlyList<FieldError>>([new FieldError($"{at}.mapping", "a transform needs a mapping.")]);
        }

        RecordMapping.TryCompile(mapping, $"{at}.mapping", out _, out var errors);
        return Task.FromResult<IReadOnlyList<FieldError>>(errors.SelectMany(e => e.Value.Select(m => new FieldError(e.Key, m))).ToList());
    }

    /// <inheritdoc />
    public Func<JsonElement, JsonElement> Compile(FlowStep step)
    {
        if (!RecordMapping.TryCompile(step.Mapping!.Value, "mapping", out var mapping, out var errors))
        {
            throw new InvalidOperationException($"The mapping of step '{step.Name}' is invalid: {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
        }

        return record => JsonSerializer.SerializeToElement(mapping!.Apply(record));
    }
}
