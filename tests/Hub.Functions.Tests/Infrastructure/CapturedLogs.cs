using IntegrationHub.TestDoubles.Processes;

namespace IntegrationHub.Functions.Tests.Infrastructure;

/// <summary>
/// What the Functions host wrote to stdout and stderr: its own log lines and the worker's (the host forwards
/// them), for assertions such as "no secret in any log". Lines reach it asynchronously: wait for an expected
/// line with <see cref="IntegrationHub.TestDoubles.Eventually"/>.
/// </summary>
public sealed class CapturedLogs(SupervisedProcess process)
{
    public IReadOnlyCollection<string> Lines => process.Lines;

    public string All => string.Join('\n', process.Lines);
}
