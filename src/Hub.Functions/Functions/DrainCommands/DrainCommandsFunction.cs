using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Pulsar;
using IntegrationHub.Pulsar.Commands;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Functions.DrainCommands;

/// <summary>
/// The <c>DrainCommands</c> timer (every 30 s): drains the Pulsar commands subscription within a time
/// budget. Each command — <c>{"tenantId", "integrationId", "action", "input"}</c>, for example "send this
/// message to Zulip" — runs through its integration's connector action and is acknowledged only after it
/// succeeded; one that keeps failing goes to the dead-letter topic with the reason, without holding up
/// the commands behind it. Without Pulsar configured there is nothing to drain.
/// </summary>
internal sealed class DrainCommandsFunction(IOptions<PulsarOptions> pulsar, IServiceProvider services, IntegrationConnections connections) : ITimerFunction
{
    /// <summary>How long one invocation drains; well inside the timer's period.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    public string Name => "DrainCommands";

    public async Task RunAsync(TimerContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(pulsar.Value.ServiceUrl))
        {
            context.Log("Pulsar is not configured; no commands to drain");
            return;
        }

        var drainer = services.GetRequiredService<CommandDrainer>();
        var result = await drainer.DrainAsync(ExecuteAsync, Budget, cancellationToken);
        context.Log($"commands: {result.Processed} executed, {result.Failed} failed, {result.DeadLettered} dead-lettered");
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
