using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Functions.Tests.Infrastructure;

/// <summary>Every log line the hub wrote during a test, with scopes and exceptions, for assertions such as "no secret in any log".</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public string All => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        private readonly AsyncLocal<List<object?>> _scopes = new();

        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            var scopes = _scopes.Value ??= [];
            scopes.Add(state);
            return new Pop(scopes);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = _scopes.Value is { Count: > 0 } s ? " scopes=" + string.Join(";", s.Select(FormatScope)) : string.Empty;
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? " values=" + string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{values}{scopes}{(exception is null ? string.Empty : " exception=" + exception)}");
        }

        private static string FormatScope(object? scope) => scope is IEnumerable<KeyValuePair<string, object>> pairs
            ? string.Join(",", pairs.Select(p => $"{p.Key}={p.Value}"))
            : scope?.ToString() ?? string.Empty;

        private sealed class Pop(List<object?> scopes) : IDisposable
        {
            public void Dispose()
            {
                if (scopes.Count > 0)
                {
                    scopes.RemoveAt(scopes.Count - 1);
                }
            }
        }
    }
}
