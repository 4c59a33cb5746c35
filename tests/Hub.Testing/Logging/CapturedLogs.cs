using System.Globalization;
using IntegrationHub.TestDoubles.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace IntegrationHub.TestDoubles.Logging;

/// <summary>
/// The one captured-logs helper of the test tree, for assertions such as "no secret in any log line". Two sources:
/// <list type="bullet">
/// <item>in process (<c>new CapturedLogs()</c>, added as a logger provider): every record at every level, collected by
/// <see cref="FakeLogCollector"/> (Microsoft.Extensions.Diagnostics.Testing), each rendered as one line with its
/// message, every structured value, its scopes and its exception;</item>
/// <item>a process's output (<c>new CapturedLogs(process)</c>): what the Functions host wrote to stdout and stderr,
/// its own lines and the worker's it forwards. Those lines arrive asynchronously: wait for an expected one with
/// <see cref="Eventually"/>.</item>
/// </list>
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly FakeLoggerProvider? _provider;
    private readonly SupervisedProcess? _process;

    /// <summary>Collects what loggers created from this provider write.</summary>
    public CapturedLogs()
    {
        _provider = new FakeLoggerProvider(new FakeLogCollector());
    }

    /// <summary>Reads the output of <paramref name="process"/>.</summary>
    public CapturedLogs(SupervisedProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        _process = process;
    }

    /// <summary>Every line so far, in order.</summary>
    public IReadOnlyList<string> Lines => _process is not null ? [.. _process.Lines] : [.. Records.Select(Render)];

    /// <summary>Every line so far, joined by newlines.</summary>
    public string All => string.Join('\n', Lines);

    /// <summary>The in-process records (empty when the logs are a process's output).</summary>
    public IReadOnlyList<FakeLogRecord> Records => _provider?.Collector.GetSnapshot() ?? [];

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The logs are a process's output, which no logger writes to.</exception>
    public ILogger CreateLogger(string categoryName) =>
        _provider?.CreateLogger(categoryName) ?? throw new InvalidOperationException("These logs are a process's output; no logger writes to them.");

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _provider?.SetScopeProvider(scopeProvider);

    /// <inheritdoc />
    public void Dispose() => _provider?.Dispose();

    private static string Render(FakeLogRecord record)
    {
        // Every structured value as a structured exporter would send it (collections serialized, e.g. HttpClient's
        // "Request Headers" state), so a secret carried only in a log's state — not its message — is caught too.
        var values = record.StructuredState is { } state ? string.Join(" | ", state.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
        var scopes = record.Scopes.Count == 0 ? string.Empty : " scopes: " + string.Join(" | ", record.Scopes.Select(s => Convert.ToString(s, CultureInfo.InvariantCulture)));
        return $"{record.Level} {record.Category}: {record.Message} [{values}]{scopes} {record.Exception}";
    }
}
