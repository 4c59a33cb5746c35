using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>The registered step types, and the structural rules of a flow: where segments start and end.</summary>
/// <remarks>
/// Limits, each a field error on save: at most <see cref="MaxSteps"/> steps; step names of 1 to
/// <see cref="MaxStepNameLength"/> characters; a step's <c>settings</c> at most <see cref="MaxSettingsJsonLength"/>
/// characters of JSON; mappings as <c>RecordMapping</c> allows (depth, fields, size).
/// </remarks>
public sealed class StepTypeRegistry(IEnumerable<IStepType> types)
{
    /// <summary>The most steps a flow may have.</summary>
    public const int MaxSteps = 100;

    /// <summary>The longest step name, in characters.</summary>
    public const int MaxStepNameLength = 100;

    /// <summary>The largest <c>settings</c> object of a step, in characters of JSON.</summary>
    public const int MaxSettingsJsonLength = 65_536;

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
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            errors.Add(new FieldError("steps", "a flow needs at least one step."));
        }

        if (steps.Count > MaxSteps)
        {
            // Nothing else is checked: the flow is refused as a whole, and thousands of step errors help no one.
            errors.Add(new FieldError("steps", $"a flow may have at most {MaxSteps} steps; this one has {steps.Count}."));
            return errors;
        }

        foreach (var duplicate in steps.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new FieldError("steps", $"the step name '{duplicate.Key}' is used more than once."));
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var at = $"steps[{i}]";
            if (string.IsNullOrWhiteSpace(steps[i].Name) || steps[i].Name.Length > MaxStepNameLength)
            {
                errors.Add(new FieldError($"{at}.name", $"must be 1 to {MaxStepNameLength} characters."));
            }

            if (steps[i].Settings is { } settings && settings.GetRawText().Length > MaxSettingsJsonLength)
            {
                errors.Add(new FieldError($"{at}.settings", $"may be at most {MaxSettingsJsonLength} characters of JSON."));
                continue;
            }

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
