namespace IntegrationHub.Functions.Hosting.CustomHandler;

/// <summary>
/// A timer-triggered function. Its <see cref="Name"/> is the folder of its <c>function.json</c>, whose
/// NCRONTAB schedule the Functions host (or, standalone, the hub itself) fires it on, by posting the
/// host's invocation payload to <c>/{Name}</c>.
/// </summary>
public interface ITimerFunction
{
    /// <summary>The function's name, as in <c>Functions/{Name}/function.json</c>.</summary>
    string Name { get; }

    /// <summary>Runs one invocation. Lines logged on <paramref name="context"/> go back to the host.</summary>
    Task RunAsync(TimerContext context, CancellationToken cancellationToken);
}
