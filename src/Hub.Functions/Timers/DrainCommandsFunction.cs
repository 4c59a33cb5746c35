using System.Text.Json;
using IntegrationHub.Core.Integrations;
using Microsoft.Azure.Functions.Worker;
using IntegrationHub.Pulsar;
using IntegrationHub.Pulsar.Commands;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Timers;

/// <summary>
/// <c>DrainCommands</c> (NCRONTAB in app setting <c>Timers__DrainCommands</c>, default every 30 s): drains the Pulsar commands subscription within a time
/// budget. Each command — <c>{"tenantId", "integrationId", "action", "input"}</c>, for example "send this
/// message to Zulip" — runs through its integration's connector action and is acknowledged only after it
/// succeeded; one that keeps failing goes to the dead-letter topic with the reason, without holding up
/// the commands behind it. Without Pulsar configured there is nothing to drain.
/// </summary>
public sealed class DrainCommandsFunction(IOptions<PulsarOptions> pulsar, IServiceProvider services, IntegrationConnections connections, ILogger<DrainCommandsFunction> logger)
{
    /// <summary>How long one invocation drains; well inside the timer's period.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    /// <summary>The timer function.</summary>
    [Function("DrainCommands")]
    public async Task RunAsync([TimerTrigger("%Timers:DrainCommands%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(pulsar.Value.ServiceUrl))
        {
            return; // without Pulsar there is nothing to drain
        }

        var drainer = services.GetRequiredService<CommandDrainer>();
        var result = await drainer.DrainAsync(ExecuteAsync, Budget, cancellationToken);
        Logs.CommandsDrained(logger, result.Processed, result.Failed, result.DeadLettered);
    }

    private async Task ExecuteAsync(InboundCommand command, CancellationToken cancellationToken)
    {
        var payload = command.Payload;
        var tenantId = Text(payload, "tenantId");
        var integrationId = Text(payload, "integrationId");
        var action = Text(payload, "action");
        var input = payload.TryGetProperty("input", out var value) ? value : JsonSerializer.SerializeToElement(new { });
        await connections.ExecuteActionAsync(tenantId, integrationId, action, input, cancellationToken);
    }

    private static string Text(JsonElement payload, string name) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new IntegrationActionRefusedException($"The command has no '{name}'.");
}
