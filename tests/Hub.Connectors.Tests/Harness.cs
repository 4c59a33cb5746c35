using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IntegrationHub.Connectors.Tests;

/// <summary>
/// The connector framework as the hub wires it (<c>AddConnectors()</c>), with a test clock whose delays
/// complete at once (and advance it), and an observer that records every rate-limit wait.
/// </summary>
internal sealed class Harness : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private Harness(ServiceProvider services, TestClock clock)
    {
        Services = services;
        Clock = clock;
    }

    public ServiceProvider Services { get; }

    public TestClock Clock { get; }

    public RecordingObserver Observer { get; } = new();

    public IConnectorCatalog Catalog => Services.GetRequiredService<IConnectorCatalog>();

    /// <summary>A harness; <paramref name="allowLoopback"/> lets connectors reach the doubles on 127.0.0.1 (and nothing else private).</summary>
    public static Harness Create(bool allowLoopback = true, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Connectors:Resilience:BaseDelay"] = "00:00:00.010",
        };
        if (allowLoopback)
        {
            values["Connectors:Network:AllowedHosts:0"] = "127.0.0.1";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var clock = new TestClock();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton<TimeProvider>(clock);
        configure?.Invoke(services);
        services.AddConnectors();
        return new Harness(services.BuildServiceProvider(validateScopes: true), clock);
    }

    public IConnector Connector(string id) => Catalog.Find(id) ?? throw new InvalidOperationException($"no connector {id}");

    public ConnectorContext Context(object configuration, IDictionary<string, string>? credentials = null) => new()
    {
        TenantId = "tenant-1",
        IntegrationId = "integration-1",
        CredentialId = "credential-1",
        Configuration = JsonSerializer.SerializeToElement(configuration),
        Credentials = new Dictionary<string, string>(credentials ?? new Dictionary<string, string>()),
        Observer = Observer,
    };

    /// <summary>Reads pages until the end, or <paramref name="maxPages"/> pages (as a run stopped midway would).</summary>
    public static async Task<List<RecordPage>> ReadAsync(IConnector connector, ConnectorContext context, string stream, JsonElement? cursor = null, int maxPages = int.MaxValue)
    {
        var pages = new List<RecordPage>();
        await foreach (var page in connector.ReadAsync(context, stream, cursor, CancellationToken.None))
        {
            pages.Add(page);
            if (pages.Count >= maxPages)
            {
                break;
            }
        }

        return pages;
    }

    public static List<string> Ids(IEnumerable<RecordPage> pages) => pages.SelectMany(p => p.Records).Select(r => r.Id).ToList();

    /// <summary>Ties <paramref name="resource"/> (the test's API double) to the harness: disposed after the hub's services when the harness is.</summary>
    public T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        foreach (var resource in _owned)
        {
            await resource.DisposeAsync();
        }
    }
}

/// <summary>Records the waits a connector reports.</summary>
internal sealed class RecordingObserver : IConnectorObserver
{
    private readonly List<(TimeSpan Wait, string Reason)> _waits = [];
    private int _resumed;

    public IReadOnlyList<(TimeSpan Wait, string Reason)> Waits
    {
        get
        {
            lock (_waits)
            {
                return _waits.ToList();
            }
        }
    }

    public int Resumed => Volatile.Read(ref _resumed);

    public void OnRateLimited(TimeSpan wait, string reason)
    {
        lock (_waits)
        {
            _waits.Add((wait, reason));
        }
    }

    public void OnResumed() => Interlocked.Increment(ref _resumed);
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> frozen at a whole second whose timers come due at once: creating one moves
/// the clock forward by its due time, so a retry that waits 30 s for a <c>Retry-After</c> completes immediately,
/// and the clock shows the 30 s were honoured.
/// </summary>
internal sealed class TestClock() : FakeTimeProvider(new DateTimeOffset(2025, 6, 2, 9, 0, 0, TimeSpan.Zero))
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            // After CreateTimer returns, so the callback never runs before its caller holds the timer.
            ThreadPool.QueueUserWorkItem(_ => Advance(dueTime));
        }

        return timer;
    }
}
