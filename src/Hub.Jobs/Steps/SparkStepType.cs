using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Jobs.Diagnostics;
using IntegrationHub.Jobs.Livy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.Steps;

/// <summary>
/// <c>spark</c>: submits a Spark batch through Livy and waits durably until it ends. Settings: a
/// <see cref="SparkJobDefinition"/> (Livy's <c>POST /batches</c> fields). The step's input (the previous output
/// through its <c>input</c> mapping) may carry <c>args</c> (strings appended to the definition's) and <c>conf</c>
/// (properties set over the definition's), so an earlier step can parameterise the batch.
/// </summary>
/// <remarks>
/// The batch is named from the run and step (<see cref="SparkBatchName.For"/>) and the client looks that name up
/// before submitting, so a run that crashed between <c>POST /batches</c> and its checkpoint finds its batch again
/// instead of starting a second one. The batch reference is checkpointed and polled every
/// <c>Livy__PollInterval</c> without holding an instance. A batch ending <c>dead</c>, <c>killed</c> or
/// <c>error</c> fails the run with the tail of its log; cancelling the run deletes the batch.
/// </remarks>
public sealed class SparkStepType(IServiceProvider services, IOptions<LivyOptions> options, TimeProvider time, ILogger<SparkStepType> logger) : IJobStepType
{
    private static readonly string[] RequiredSettings = ["name", "file"];

    private static readonly JsonSerializerOptions SettingsJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <inheritdoc />
    public string Type => "spark";

    /// <inheritdoc />
    public StepRole Role => StepRole.Job;

    /// <inheritdoc />
    public async Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (!options.Value.IsConfigured)
        {
            errors.Add(new FieldError($"{at}.settings", "Livy is not configured in this hub (Livy__BaseUrl), so a spark step cannot run."));
        }

        var (definition, resolved) = await ResolveAsync(tenantId, step, $"{at}.settings", errors, cancellationToken);
        if (!resolved)
        {
            return errors;
        }

        foreach (var problem in definition!.Validate())
        {
            foreach (var member in problem.MemberNames.DefaultIfEmpty(string.Empty))
            {
                var field = member.Length == 0 ? $"{at}.settings" : $"{at}.settings.{JsonNamingPolicy.CamelCase.ConvertName(member)}";
                errors.Add(new FieldError(field, problem.ErrorMessage ?? "is not valid."));
            }
        }

        errors.AddRange(StepInput.Validate(step, at));
        return errors;
    }

    /// <inheritdoc />
    public async Task<StepOutcome> ExecuteAsync(JobStepContext context, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            return new StepOutcome.Fail("Livy is not configured in this hub (Livy__BaseUrl), so the spark step cannot run.");
        }

        var jobs = services.GetRequiredService<SparkBatchJobs>();
        var reference = JobCheckpoint.Read(context, SparkBatchJobs.EngineName);
        try
        {
            if (reference is not null)
            {
                return Outcome(reference, await jobs.PollAsync(reference, cancellationToken));
            }

            var errors = new List<FieldError>();
            var (definition, resolved) = await ResolveAsync(context.Run.TenantId, context.Step, "settings", errors, cancellationToken);
            if (!resolved)
            {
                return new StepOutcome.Fail($"Step '{context.Step.Name}' has invalid Spark settings: {string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}"))}");
            }

            if (!TryApplyInput(definition!, context.Input, out var parameterised, out var error))
            {
                return new StepOutcome.Fail(error);
            }

            var start = await jobs.StartAsync(parameterised, BatchName(context), cancellationToken);
            return Outcome(start.Reference, start.Status);
        }
        catch (JobEngineException e)
        {
            return JobCheckpoint.Failure(e);
        }
        catch (ArgumentException e)
        {
            // The definition (with the input's args and conf) broke one of its rules.
            return new StepOutcome.Fail(e.Message);
        }
    }

    /// <summary>
    /// Deletes the batch. Before the reference was checkpointed (a crash right after submitting), the batch is found
    /// by its name. A Livy that refuses for good is logged and the run is cancelled anyway; one that does not answer
    /// leaves the cancellation to be retried when the run is resumed.
    /// </summary>
    public async Task CancelAsync(JobStepContext context, CancellationToken cancellationToken)
    {
        var jobs = services.GetRequiredService<SparkBatchJobs>();
        try
        {
            if (JobCheckpoint.Read(context, SparkBatchJobs.EngineName) is { } reference)
            {
                await jobs.CancelAsync(reference, cancellationToken);
            }
            else if (await services.GetRequiredService<LivyClient>().FindByNameAsync(BatchName(context), cancellationToken) is { } batch)
            {
                await jobs.CancelAsync(new JobReference(SparkBatchJobs.EngineName, batch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
            }
        }
        catch (JobEngineException e) when (!e.IsTransient)
        {
            Logs.SparkCancelRefused(logger, context.Run.Id, context.Step.Name, e.Message);
        }
    }

    /// <summary>The Livy batch name of the step in its run: its idempotency key.</summary>
    public static string BatchName(JobStepContext context) => SparkBatchName.For(context.Run.Id, context.Step.Name);

    private StepOutcome Outcome(JobReference? reference, JobStatus status) => status switch
    {
        JobStatus.Succeeded succeeded => new StepOutcome.Completed(succeeded.Output),
        JobStatus.Failed failed => new StepOutcome.Fail(failed.LogTail.Count == 0 ? failed.Message : $"{failed.Message} Last log lines:\n{string.Join('\n', failed.LogTail)}"),
        JobStatus.Pending pending when reference is not null =>
            new StepOutcome.Wait(time.GetUtcNow() + pending.NextCheckAfter, JobCheckpoint.Of(reference), $"Spark batch {reference.Id} is {pending.State}"),
        _ => new StepOutcome.Fail("Livy reported a running batch without its id."),
    };

    // Settings are either a definition, or {"job": "<name>"} naming one the tenant registered (POST /api/v1/spark-jobs).
    private async Task<(SparkJobDefinition? Definition, bool Resolved)> ResolveAsync(string tenantId, FlowStep step, string at, List<FieldError> errors, CancellationToken cancellationToken)
    {
        if (step.Settings is { ValueKind: JsonValueKind.Object } settings && settings.TryGetProperty("job", out var job))
        {
            if (job.ValueKind != JsonValueKind.String || settings.EnumerateObject().Count() != 1)
            {
                errors.Add(new FieldError($"{at}.job", "names a registered Spark job, and nothing else may sit beside it."));
                return (null, false);
            }

            var registered = await services.GetRequiredService<SparkJobStore>().GetAsync(tenantId, job.GetString()!, cancellationToken);
            if (registered is null)
            {
                errors.Add(new FieldError($"{at}.job", $"no Spark job '{job.GetString()}' is registered for this tenant."));
                return (null, false);
            }

            return (registered.Definition, true);
        }

        return TryRead(step, at, out var definition, errors) ? (definition, true) : (null, false);
    }

    private static bool TryRead(FlowStep step, string at, out SparkJobDefinition? definition, List<FieldError> errors)
    {
        definition = null;
        if (step.Settings is not { ValueKind: JsonValueKind.Object } settings)
        {
            errors.Add(new FieldError(at, "a spark step's settings are a Spark job definition: {\"name\", \"file\", \"className\", \"args\", \"conf\", ...}."));
            return false;
        }

        var missing = RequiredSettings.Where(p => !settings.TryGetProperty(p, out var value) || value.ValueKind != JsonValueKind.String).ToList();
        foreach (var property in missing)
        {
            errors.Add(new FieldError($"{at}.{property}", "is required."));
        }

        if (missing.Count > 0)
        {
            return false;
        }

        try
        {
            definition = settings.Deserialize<SparkJobDefinition>(SettingsJson);
        }
        catch (JsonException e)
        {
            errors.Add(new FieldError(e.Path is { Length: > 1 } path ? $"{at}.{path.TrimStart('$', '.')}" : at, e.Message));
            return false;
        }

        return definition is not null;
    }

    private static bool TryApplyInput(SparkJobDefinition definition, JsonElement? input, out SparkJobDefinition parameterised, out string error)
    {
        parameterised = definition;
        error = string.Empty;
        var values = StepInput.AsObject(input);
        if (values.TryGetProperty("args", out var args) && args.ValueKind != JsonValueKind.Null)
        {
            if (args.ValueKind != JsonValueKind.Array || args.EnumerateArray().Any(a => a.ValueKind is JsonValueKind.Object or JsonValueKind.Array))
            {
                error = "The spark step's input 'args' must be an array of strings, numbers or booleans.";
                return false;
            }

            parameterised = parameterised with { Args = [.. definition.Args, .. args.EnumerateArray().Select(Text)] };
        }

        if (values.TryGetProperty("conf", out var conf) && conf.ValueKind != JsonValueKind.Null)
        {
            if (conf.ValueKind != JsonValueKind.Object || conf.EnumerateObject().Any(p => p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array))
            {
                error = "The spark step's input 'conf' must be an object of Spark properties to text values.";
                return false;
            }

            var merged = new Dictionary<string, string>(definition.Conf, StringComparer.Ordinal);
            foreach (var property in conf.EnumerateObject())
            {
                merged[property.Name] = Text(property.Value);
            }

            parameterised = parameterised with { Conf = merged };
        }

        return true;
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
