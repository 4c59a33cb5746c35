using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Functions.Hosting.CustomHandler;

/// <summary>
/// What the Functions host posts to <c>/{FunctionName}</c> for a non-HTTP trigger: the trigger and input
/// values in <c>Data</c>, keyed by binding name, and trigger metadata in <c>Metadata</c>.
/// </summary>
public sealed record InvocationRequest
{
    /// <summary>Trigger and input binding values by binding name.</summary>
    [JsonPropertyName("Data")]
    public Dictionary<string, JsonElement> Data { get; init; } = [];

    /// <summary>Trigger metadata, including <c>sys</c> (<c>MethodName</c>, <c>UtcNow</c>, <c>RandGuid</c>).</summary>
    [JsonPropertyName("Metadata")]
    public Dictionary<string, JsonElement> Metadata { get; init; } = [];
}

/// <summary>
/// What a custom handler answers to an invocation: output binding values, log lines for the invocation
/// log (Application Insights in Azure), and the <c>$return</c> value.
/// </summary>
public sealed record InvocationResponse
{
    /// <summary>Output binding values by binding name. Timer functions have none.</summary>
    [JsonPropertyName("Outputs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public Dictionary<string, object?> Outputs { get; init; } = [];

    /// <summary>Lines the host writes to the invocation log.</summary>
    [JsonPropertyName("Logs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public List<string> Logs { get; init; } = [];

    /// <summary>The value of a <c>$return</c> output binding, if any.</summary>
    [JsonPropertyName("ReturnValue")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public object? ReturnValue { get; init; }
}

/// <summary>The timer trigger's value in <c>Data</c>: the host's <c>TimerInfo</c>.</summary>
public sealed record TimerInfo
{
    /// <summary>The schedule's settings.</summary>
    [JsonPropertyName("Schedule")]
    public TimerScheduleInfo? Schedule { get; init; }

    /// <summary>Last and next occurrences, when the host keeps schedule status.</summary>
    [JsonPropertyName("ScheduleStatus")]
    public TimerScheduleStatus? ScheduleStatus { get; init; }

    /// <summary>True when this invocation is later than it was scheduled (the app was down or busy).</summary>
    [JsonPropertyName("IsPastDue")]
    public bool IsPastDue { get; init; }
}

/// <summary>The timer's schedule settings.</summary>
public sealed record TimerScheduleInfo([property: JsonPropertyName("AdjustForDST")] bool AdjustForDst);

/// <summary>The timer's recorded occurrences.</summary>
public sealed record TimerScheduleStatus(
    [property: JsonPropertyName("Last")] DateTimeOffset Last,
    [property: JsonPropertyName("Next")] DateTimeOffset Next,
    [property: JsonPropertyName("LastUpdated")] DateTimeOffset LastUpdated);

/// <summary>A timer function's view of one invocation.</summary>
/// <param name="FunctionName">The function invoked.</param>
/// <param name="Timer">The host's timer info, when the payload carried one.</param>
/// <param name="InvokedAt">The host's <c>sys.UtcNow</c>, or the handler's clock when absent.</param>
/// <param name="InvocationId">The host's <c>sys.RandGuid</c>, or a new id.</param>
public sealed record TimerContext(string FunctionName, TimerInfo? Timer, DateTimeOffset InvokedAt, string InvocationId)
{
    private readonly List<string> _logs = [];

    /// <summary>Lines returned to the host's invocation log.</summary>
    public IReadOnlyList<string> Logs => _logs;

    /// <summary>Adds a line to the invocation log. Never pass secrets.</summary>
    public void Log(string line) => _logs.Add(line);
}
