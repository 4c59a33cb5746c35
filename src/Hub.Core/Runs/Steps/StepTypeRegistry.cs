using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>The registered step types, and the structural rules of a flow: where segments start and end.</summary>
public sealed class StepTypeRegistry(IEnumerable<IStepType> types)
{
    private readonly Dictionary<string, IStepType> _types = types.GroupBy(t => t.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>Every registered type name.</summary>
    public IReadOnlyCollection<string> Names => _types.Keys;

    /// <summary>A type, or null.</summary>
    public IStepType? Find(string type) => _types.GetValueOrDefault(type);

    /// <summary>A record step type (the flow was validated, so it exists).</summary>
    public IRecordStepType Record(string type) => (IRecordStepType)_types[type];

    /// <summary>A job step type.</summary>
    public IJobStepType? Job(string type) => _types.GetValueOrDefault(type) as IJobStepType;

    /// <summary>The index of the <c>publish</c> that ends the segment starting at <paramref name="read"/>, or -1.</summary>
    public int SegmentEnd(IReadOnlyList<FlowStep> steps, int read)
    {
        for (var i = read + 1; i < steps.Count; i++)
        {
            if (steps[i].Type == "publish")
            {
                return i;
            }

            if (Find(steps[i].Type)?.Role != StepRole.Record)
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>Checks a flow's steps: known types, unique names, segments closed by a publish, each step's own rules.</summary>
    public async Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, IReadOnlyList<FlowStep> steps, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (steps.Count == 0)
        {
            errors.Add(new FieldError("steps", "a flow needs at least one step."));
        }

        foreach (var duplicate in steps.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new FieldError("steps", $"the step name '{duplicate.Key}' is used more than once."));
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var at = $"steps[{i}]";
            if (Find(steps[i].Type) is not { } type)
            {
                errors.Add(new FieldError($"{at}.type", $"'{steps[i].Type}' is not a step type; known: {string.Join(", ", _types.Keys.Order(StringComparer.Ordinal))}."));
                continue;
            }

            errors.AddRange(await type.ValidateAsync(tenantId, steps[i], at, cancellationToken));
            if (type.Role == StepRole.Source && SegmentEnd(steps, i) < 0)
            {
                errors.Add(new FieldError(at, "a read must be followed by its record steps and a publish step, so no record is read without being published."));
            }
        }

        return errors;
    }
}
