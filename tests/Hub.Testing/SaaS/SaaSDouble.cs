using System.Text;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// Base of the SaaS API doubles (WireMock.Net): the API's endpoints plus injectable faults (rate limits, 5xx),
/// answered in the shape the API documents, to the next requests whose path contains a given text. Faults are
/// WireMock mappings in one scenario, each taking the next state when it fires, so they answer once each and in
/// the order they were injected (only the oldest pending fault is live, as before).
/// </summary>
public abstract class SaaSDouble : WireMockDouble
{
    private const string FaultScenario = "faults";
    private readonly Lock _faultGate = new();
    private readonly List<(string PathContains, int Status, string Body, (string Name, string Value)[] Headers)> _pendingFaults = [];
    private int _faults;
    private readonly List<(string PathContains, int Remaining, int Status, string Body, (string Name, string Value)[] Headers)> _counted = [];

    protected SaaSDouble(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The clock the double's rate-limit headers are computed from (the test's clock).</summary>
    public TimeProvider Time { get; }

    /// <summary>Requests whose path contains <paramref name="pathContains"/> (case-insensitive).</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string pathContains)
    {
        lock (Requests)
        {
            return Requests.Where(r => r.PathAndQuery.Contains(pathContains, StringComparison.OrdinalIgnoreCase)).ToList();
        }
    }

    /// <summary>Answers the next request to <paramref name="pathContains"/> with <paramref name="status"/>, <paramref name="headers"/> and a JSON <paramref name="body"/>.</summary>
    public void Fail(string pathContains, int status, string body, params (string Name, string Value)[] headers)
    {
        lock (_faultGate)
        {
            if (!Started)
            {
                _pendingFaults.Add((pathContains, status, body, headers));
                return;
            }

            AddFault(pathContains, status, body, headers);
        }
    }

    private void AddFault(string pathContains, int status, string body, (string Name, string Value)[] headers)
    {
        var n = _faults++;
        var mapping = Server.Given(Request.Create().WithPath(new WildcardMatcher($"*{pathContains}*", ignoreCase: true)).UsingAnyMethod())
            .AtPriority(0)
            .InScenario(FaultScenario);
        if (n > 0)
        {
            mapping = mapping.WhenStateIs(Spent(n - 1));
        }

        mapping.WillSetStateTo(Spent(n)).RespondWith(Answer(_ => Text(status, body, "application/json; charset=utf-8", headers)));
    }

    /// <summary>
    /// Answers the <paramref name="nth"/> request from now whose path contains <paramref name="pathContains"/> (1 = the
    /// next) with <paramref name="status"/>, <paramref name="headers"/> and a JSON <paramref name="body"/>; the ones
    /// before it are served as usual. For a fault on a later page of a read that asks from its cursor each time.
    /// (Counted in the API's callbacks: a WireMock mapping cannot let a request it matched fall through to another.)
    /// </summary>
    public void FailNth(string pathContains, int nth, int status, string body, params (string Name, string Value)[] headers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        lock (_counted)
        {
            _counted.Add((pathContains, nth, status, body, headers));
        }
    }

    /// <inheritdoc />
    protected override ResponseMessage? Intercept(IRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_counted)
        {
            // Every counted fault this request matches counts it; the first that comes due answers it.
            ResponseMessage? due = null;
            for (var i = 0; i < _counted.Count; i++)
            {
                var entry = _counted[i];
                if (!request.Path.Contains(entry.PathContains, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (entry.Remaining == 1)
                {
                    due ??= Text(entry.Status, entry.Body, "application/json; charset=utf-8", entry.Headers);
                    _counted.RemoveAt(i--);
                }
                else
                {
                    _counted[i] = entry with { Remaining = entry.Remaining - 1 };
                }
            }

            return due;
        }
    }

    /// <summary>The epoch second <paramref name="after"/> from now on the double's clock.</summary>
    public long EpochSecondsIn(TimeSpan after) => (Time.GetUtcNow() + after).ToUnixTimeSeconds();

    /// <inheritdoc />
    protected sealed override void Map(WireMockServer server)
    {
        MapApi(server);
        lock (_faultGate)
        {
            foreach (var (pathContains, status, body, headers) in _pendingFaults)
            {
                AddFault(pathContains, status, body, headers);
            }

            _pendingFaults.Clear();
        }
    }

    /// <summary>Maps the API's documented endpoints.</summary>
    protected abstract void MapApi(WireMockServer server);

    /// <summary>The value of basic auth <c>user:secret</c>, or null.</summary>
    protected static (string User, string Secret)? BasicAuth(IRequestMessage request)
    {
        var header = Header(request, "Authorization") ?? string.Empty;
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>An opaque page token, as APIs hand them out (base64 of the position).</summary>
    protected static string PageToken(string position) => Convert.ToBase64String(Encoding.UTF8.GetBytes(position));

    /// <summary>The position inside a token from <see cref="PageToken"/>, or null when it is not one.</summary>
    protected static string? Untoken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Spent(int n) => $"fault-{n}-spent";
}
