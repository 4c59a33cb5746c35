using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationHub.Jobs.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.Livy;

/// <summary>
/// Apache Livy's batch API (docs/rest-api.md): submit, look up, state, log, delete. Every method is one
/// HTTP exchange (listing pages through <c>GET /batches</c>); none waits for a batch to finish.
/// </summary>
/// <remarks>
/// Sends <c>X-Requested-By</c> on every call (Livy's CSRF filter rejects POST and DELETE without it) and the
/// configured credentials. Failures raise <see cref="LivyException"/> with the status and Livy's <c>msg</c>.
/// </remarks>
public sealed class LivyClient
{
    private static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly LivyOptions _options;
    private readonly JobMetrics _metrics;
    private readonly ILogger<LivyClient> _logger;

    /// <summary>Creates the client on an <see cref="HttpClient"/> from the factory (see <c>AddHubJobs</c>).</summary>
    public LivyClient(HttpClient http, IOptions<LivyOptions> options, JobMetrics metrics, ILogger<LivyClient> logger)
    {
        _http = http;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        if (_options.IsConfigured && _http.BaseAddress is null)
        {
            var baseUrl = _options.BaseUrl.EndsWith('/') ? _options.BaseUrl : _options.BaseUrl + "/";
            _http.BaseAddress = new Uri(baseUrl, UriKind.Absolute);
            _http.Timeout = _options.RequestTimeout;
        }
    }

    /// <summary>Whether Livy is configured (<c>Livy:BaseUrl</c> set).</summary>
    public bool IsConfigured => _options.IsConfigured;

    /// <summary>
    /// Submits <paramref name="definition"/> as a batch named <paramref name="batchName"/>, unless Livy already has a
    /// batch of that name: then that batch is returned and nothing is submitted. This makes a submission retried
    /// after a crash (between <c>POST /batches</c> and the caller checkpointing the id) start the job only once.
    /// </summary>
    /// <remarks>
    /// Livy forgets finished batches after <c>livy.server.session.state-retain.sec</c> (10 minutes by default):
    /// the caller must checkpoint the returned id promptly, and a retry much later than that may submit again.
    /// A concurrent submission of the same name that Livy rejects as a duplicate is resolved by looking up again.
    /// </remarks>
    /// <exception cref="ArgumentException">The definition is not valid.</exception>
    /// <exception cref="LivyException">Livy did not answer or refused the batch.</exception>
    public async Task<LivySubmission> SubmitAsync(SparkJobDefinition definition, string batchName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(batchName);
        var problems = definition.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Spark job definition '{definition.Name}' is not valid: {string.Join(" ", problems.Select(p => $"{string.Join(", ", p.MemberNames)}: {p.ErrorMessage}"))}", nameof(definition));
        }

        if (await FindByNameAsync(batchName, cancellationToken) is { } existing)
        {
            _metrics.Submitted("livy", "reused");
            Logs.LivyReused(_logger, batchName, existing.Id, existing.State);
            return new LivySubmission(existing, Reused: true);
        }

        using var request = Request(HttpMethod.Post, "batches");
        request.Content = JsonContent.Create(CreateBatchRequest.From(definition, batchName), options: RequestJson);
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var message = await EngineErrors.ReadMessageAsync(response, cancellationToken);
            if (message.Contains("Duplicate session name", StringComparison.OrdinalIgnoreCase) &&
                await FindByNameAsync(batchName, cancellationToken) is { } raced)
            {
                _metrics.Submitted("livy", "reused");
                Logs.LivyReused(_logger, batchName, raced.Id, raced.State);
                return new LivySubmission(raced, Reused: true);
            }

            _metrics.Submitted("livy", "rejected");
            throw Failure(request, response.StatusCode, message);
        }

        await EnsureSuccessAsync(request, response, cancellationToken);
        var batch = await ReadAsync<LivyBatch>(request, response, cancellationToken);
        _metrics.Submitted("livy", "submitted");
        Logs.LivySubmitted(_logger, batchName, batch.Id, batch.State);
        return new LivySubmission(batch, Reused: false);
    }

    /// <summary>The batch named <paramref name="batchName"/> (the newest if Livy holds several), or <see langword="null"/>.</summary>
    public async Task<LivyBatch?> FindByNameAsync(string batchName, CancellationToken cancellationToken = default)
    {
        LivyBatch? found = null;
        await foreach (var batch in ListAsync(cancellationToken))
        {
            if (string.Equals(batch.Name, batchName, StringComparison.Ordinal) && (found is null || batch.Id > found.Id))
            {
                found = batch;
            }
        }

        return found;
    }

    /// <summary>Every batch Livy holds, page by page (<c>GET /batches?from=&amp;size=</c>), without holding more than one page.</summary>
    public async IAsyncEnumerable<LivyBatch> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var from = 0;
        while (true)
        {
            using var request = Request(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"batches?from={from}&size={_options.ListPageSize}"));
            using var response = await SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(request, response, cancellationToken);
            var page = await ReadAsync<BatchPage>(request, response, cancellationToken);
            var sessions = page.Sessions ?? [];
            foreach (var batch in sessions)
            {
                yield return batch;
            }

            from += sessions.Count;
            if (sessions.Count == 0 || from >= page.Total)
            {
                yield break;
            }
        }
    }

    /// <summary>The batch's state word (<c>GET /batches/{id}/state</c>).</summary>
    /// <exception cref="LivyException">Status 404 when Livy does not know the batch (any more).</exception>
    public async Task<string> GetStateAsync(long batchId, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"batches/{batchId}/state"));
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
        return (await ReadAsync<BatchState>(request, response, cancellationToken)).State;
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines of the batch's log (<c>GET /batches/{id}/log?size=</c>; without
    /// <c>from</c>, Livy starts that many lines before the end).
    /// </summary>
    public async Task<IReadOnlyList<string>> GetLogTailAsync(long batchId, int lines, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        using var request = Request(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"batches/{batchId}/log?size={lines}"));
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
        var log = await ReadAsync<BatchLog>(request, response, cancellationToken);
        var all = log.Log ?? [];
        return all.Count > lines ? all.Skip(all.Count - lines).ToList() : all;
    }

    /// <summary>Kills the batch and removes it (<c>DELETE /batches/{id}</c>). Returns false when Livy did not know it (already gone).</summary>
    public async Task<bool> DeleteAsync(long batchId, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Delete, string.Create(CultureInfo.InvariantCulture, $"batches/{batchId}"));
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            Logs.LivyDeleted(_logger, batchId, found: false);
            return false;
        }

        await EnsureSuccessAsync(request, response, cancellationToken);
        Logs.LivyDeleted(_logger, batchId, found: true);
        return true;
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        if (!_options.IsConfigured)
        {
            throw new LivyException("Livy is not configured: set Livy__BaseUrl.");
        }

        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("X-Requested-By", _options.RequestedBy);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Authorization = _options.Auth switch
        {
            LivyAuthMode.Basic => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.UserName}:{_options.Password}"))),
            LivyAuthMode.Bearer => new AuthenticationHeaderValue("Bearer", _options.Token),
            _ => null,
        };
        return request;
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        EngineErrors.SendAsync(_http, request, _http.Timeout, Failure, cancellationToken, cancellationToken);

    private Task EnsureSuccessAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) =>
        EngineErrors.EnsureSuccessAsync(request, response, Failure, cancellationToken);

    private Task<T> ReadAsync<T>(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) =>
        EngineErrors.ReadJsonAsync<T>(request, response, RequestJson, Failure, cancellationToken);

    private LivyException Failure(HttpRequestMessage request, HttpStatusCode? status, string message, Exception? inner = null)
    {
        Logs.LivyCallFailed(_logger, request.Method.Method, EngineErrors.PathOf(request), message);
        return new LivyException(EngineErrors.Describe("Livy", request, status, message), status, inner);
    }

    private sealed record BatchPage(
        [property: JsonPropertyName("from")] int From,
        [property: JsonPropertyName("total")] int Total,
        [property: JsonPropertyName("sessions")] IReadOnlyList<LivyBatch>? Sessions);

    private sealed record BatchState(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("state")] string State);

    private sealed record BatchLog(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("from")] int From,
        [property: JsonPropertyName("total")] int Total,
        [property: JsonPropertyName("log")] IReadOnlyList<string>? Log);

    /// <summary>The body of <c>POST /batches</c>: the definition plus the batch's name; empty lists and unset values are left out.</summary>
    private sealed record CreateBatchRequest(
        string File,
        string? ProxyUser,
        string? ClassName,
        IReadOnlyList<string>? Args,
        IReadOnlyList<string>? Jars,
        IReadOnlyList<string>? PyFiles,
        IReadOnlyList<string>? Files,
        string? DriverMemory,
        int? DriverCores,
        string? ExecutorMemory,
        int? ExecutorCores,
        int? NumExecutors,
        IReadOnlyList<string>? Archives,
        string? Queue,
        string Name,
        IReadOnlyDictionary<string, string>? Conf)
    {
        public static CreateBatchRequest From(SparkJobDefinition d, string name) => new(
            d.File,
            Blank(d.ProxyUser),
            Blank(d.ClassName),
            None(d.Args),
            None(d.Jars),
            None(d.PyFiles),
            None(d.Files),
            Blank(d.DriverMemory),
            d.DriverCores,
            Blank(d.ExecutorMemory),
            d.ExecutorCores,
            d.NumExecutors,
            None(d.Archives),
            Blank(d.Queue),
            name,
            d.Conf.Count == 0 ? null : d.Conf);

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

        private static IReadOnlyList<string>? None(IReadOnlyList<string> values) => values.Count == 0 ? null : values;
    }
}
