using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IntegrationHub.Jobs.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.N8n;

/// <summary>
/// n8n through its public API (<c>/api/v1</c>, header <c>X-N8N-API-KEY</c>) and its production webhooks
/// (<c>/webhook/&lt;path&gt;</c>; n8n has no public "execute workflow" endpoint). Every method is one HTTP
/// exchange (listing pages through <c>nextCursor</c>); none waits for an execution to finish.
/// </summary>
public sealed class N8nClient
{
    /// <summary>The header carrying the idempotency key of a webhook call.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The body property carrying the idempotency key of a webhook call (workflows read it as <c>$json.body.idempotencyKey</c>).</summary>
    public const string IdempotencyProperty = "idempotencyKey";

    private const string WebhookNodeType = "n8n-nodes-base.webhook";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly N8nOptions _options;
    private readonly JobMetrics _metrics;
    private readonly ILogger<N8nClient> _logger;

    /// <summary>Creates the client on an <see cref="HttpClient"/> from the factory (see <c>AddHubJobs</c>).</summary>
    public N8nClient(HttpClient http, IOptions<N8nOptions> options, JobMetrics metrics, ILogger<N8nClient> logger)
    {
        _http = http;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        if (_options.IsConfigured && _http.BaseAddress is null)
        {
            _http.BaseAddress = new Uri(_options.BaseUrl.EndsWith('/') ? _options.BaseUrl : _options.BaseUrl + "/", UriKind.Absolute);
        }

        // Each call sets its own deadline (API calls and webhooks differ).
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary>Whether n8n is configured (<c>N8n:BaseUrl</c> set).</summary>
    public bool IsConfigured => _options.IsConfigured;

    /// <summary>
    /// The workflows carrying the agreed tag (<see cref="N8nOptions.WorkflowTag"/>), page by page
    /// (<c>GET /api/v1/workflows?tags=&amp;limit=&amp;cursor=</c>), holding one page at a time. Archived workflows are left out.
    /// </summary>
    public async IAsyncEnumerable<N8nWorkflow> ListWorkflowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        var count = 0;
        do
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"api/v1/workflows?tags={Uri.EscapeDataString(_options.WorkflowTag)}&limit={_options.PageSize}&excludePinnedData=true");
            if (cursor is not null)
            {
                path += "&cursor=" + Uri.EscapeDataString(cursor);
            }

            using var request = ApiRequest(HttpMethod.Get, path);
            var page = await SendForJsonAsync<WorkflowPage>(request, _options.RequestTimeout, cancellationToken);
            foreach (var workflow in page.Data ?? [])
            {
                if (workflow.IsArchived != true)
                {
                    count++;
                    yield return workflow.ToModel();
                }
            }

            cursor = string.IsNullOrEmpty(page.NextCursor) ? null : page.NextCursor;
        }
        while (cursor is not null);

        Logs.N8nListed(_logger, count, _options.WorkflowTag);
    }

    /// <summary>One workflow (<c>GET /api/v1/workflows/{id}</c>), with its Webhook trigger.</summary>
    /// <exception cref="N8nException">Status 404 when n8n has no such workflow (or the key may not see it).</exception>
    public async Task<N8nWorkflow> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        using var request = ApiRequest(HttpMethod.Get, $"api/v1/workflows/{Uri.EscapeDataString(workflowId)}?excludePinnedData=true");
        return (await SendForJsonAsync<WorkflowDto>(request, _options.RequestTimeout, cancellationToken)).ToModel();
    }

    /// <summary>
    /// Runs <paramref name="workflow"/> by calling its production webhook with <paramref name="payload"/> (a JSON
    /// object). The idempotency key travels as the <c>Idempotency-Key</c> header and as the body's
    /// <c>idempotencyKey</c> property, so a workflow can refuse a repeated call; n8n itself does not deduplicate.
    /// </summary>
    /// <returns>
    /// <see cref="N8nTriggerResult.Completed"/> with the workflow's answer; <see cref="N8nTriggerResult.Started"/>
    /// when it answered <c>{ "executionId": ... }</c>; <see cref="N8nTriggerResult.Failed"/> when the workflow failed
    /// before answering (n8n then answers only "Error in workflow", or an empty 200 when a Respond-to-Webhook node
    /// was never reached, so the failed execution is looked up by the idempotency key to report n8n's own message).
    /// </returns>
    /// <exception cref="ArgumentException">The payload is not a JSON object, or the workflow has no Webhook trigger.</exception>
    /// <exception cref="N8nException">n8n did not answer, or refused the call (404: the workflow is not active).</exception>
    public async Task<N8nTriggerResult> TriggerAsync(N8nWorkflow workflow, JsonElement payload, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        var webhook = workflow.Webhook ?? throw new ArgumentException($"n8n workflow {workflow.Id} ('{workflow.Name}') has no Webhook trigger, so the hub cannot run it.", nameof(workflow));
        if (payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw new ArgumentException("An n8n webhook payload must be a JSON object.", nameof(payload));
        }

        var method = new HttpMethod(webhook.Method);
        using var request = new HttpRequestMessage(method, new Uri($"{_options.WebhookPath.Trim('/')}/{webhook.Path}", UriKind.Relative));
        request.Headers.Add(IdempotencyHeader, idempotencyKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (method != HttpMethod.Get && method != HttpMethod.Head && method != HttpMethod.Delete)
        {
            var body = payload.ValueKind == JsonValueKind.Object ? JsonObject.Create(payload)! : [];
            body[IdempotencyProperty] = idempotencyKey;
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.WebhookTimeout);
        using var response = await SendAsync(request, _options.WebhookTimeout, timeout.Token, cancellationToken);
        N8nTriggerResult result;
        if (response.IsSuccessStatusCode)
        {
            var answer = await ReadAnswerAsync(response, timeout.Token);
            if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("executionId", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                result = new N8nTriggerResult.Started(id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText());
            }
            else if (answer.ValueKind == JsonValueKind.Null && await FindExecutionAsync(workflow.Id, idempotencyKey, cancellationToken) is { } failed)
            {
                // A workflow whose Respond-to-Webhook node is never reached because a node failed: n8n answers
                // 200 with an empty body. Its failed execution, found by the idempotency key, says why.
                result = new N8nTriggerResult.Failed(failed.ErrorMessage ?? "n8n workflow failed before answering.", failed.Id);
            }
            else
            {
                result = new N8nTriggerResult.Completed(answer);
            }
        }
        else if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            var message = await EngineErrors.ReadMessageAsync(response, cancellationToken);
            var failed = await FindExecutionAsync(workflow.Id, idempotencyKey, cancellationToken);
            result = new N8nTriggerResult.Failed(failed?.ErrorMessage ?? message, failed?.Id);
        }
        else
        {
            _metrics.Submitted("n8n", "rejected");
            throw Failure(request, response.StatusCode, await EngineErrors.ReadMessageAsync(response, cancellationToken));
        }

        _metrics.Submitted("n8n", "submitted");
        Logs.N8nTriggered(_logger, workflow.Id, workflow.Name, webhook.Method, result switch
        {
            N8nTriggerResult.Completed => "answered",
            N8nTriggerResult.Started s => $"execution {s.ExecutionId} running",
            N8nTriggerResult.Failed f => $"failed ({f.Message})",
            _ => "unknown",
        });
        return result;
    }

    /// <summary>One execution with its data (<c>GET /api/v1/executions/{id}?includeData=true</c>): state, n8n's error message, last node's output.</summary>
    /// <exception cref="N8nException">Status 404 when n8n has no such execution (deleted or pruned).</exception>
    public async Task<N8nExecution> GetExecutionAsync(string executionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executionId);
        using var request = ApiRequest(HttpMethod.Get, $"api/v1/executions/{Uri.EscapeDataString(executionId)}?includeData=true");
        using var json = await SendForDocumentAsync(request, cancellationToken);
        return ExecutionOf(json.RootElement);
    }

    /// <summary>
    /// The newest failed execution of <paramref name="workflowId"/> whose webhook call carried <paramref name="idempotencyKey"/>,
    /// among its last few failed executions, or <see langword="null"/>.
    /// </summary>
    internal async Task<N8nExecution?> FindExecutionAsync(string workflowId, string idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            using var request = ApiRequest(HttpMethod.Get, $"api/v1/executions?workflowId={Uri.EscapeDataString(workflowId)}&status=error&includeData=true&limit=20");
            using var json = await SendForDocumentAsync(request, cancellationToken);
            if (!json.RootElement.TryGetProperty("data", out var executions) || executions.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var execution in executions.EnumerateArray())
            {
                if (CarriesKey(execution, idempotencyKey))
                {
                    return ExecutionOf(execution);
                }
            }
        }
        catch (N8nException)
        {
            // Already logged; the caller still has n8n's short answer.
        }

        return null;
    }

    private static bool CarriesKey(JsonElement execution, string key)
    {
        if (!TryGetPath(execution, out var runData, "data", "resultData", "runData") || runData.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var node in runData.EnumerateObject())
        {
            foreach (var item in Items(node.Value))
            {
                if ((TryGetPath(item, out var header, "headers", "idempotency-key") && header.ValueKind == JsonValueKind.String && header.GetString() == key) ||
                    (TryGetPath(item, out var property, "body", IdempotencyProperty) && property.ValueKind == JsonValueKind.String && property.GetString() == key))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static N8nExecution ExecutionOf(JsonElement execution)
    {
        var id = execution.TryGetProperty("id", out var idValue) ? (idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : idValue.GetRawText()) : string.Empty;
        var workflowId = execution.TryGetProperty("workflowId", out var wf) && wf.ValueKind == JsonValueKind.String ? wf.GetString() : null;
        var statusWord = execution.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var status = statusWord switch
        {
            "new" => N8nExecutionStatus.New,
            "running" => N8nExecutionStatus.Running,
            "waiting" => N8nExecutionStatus.Waiting,
            "success" => N8nExecutionStatus.Success,
            "error" => N8nExecutionStatus.Error,
            "crashed" => N8nExecutionStatus.Crashed,
            "canceled" or "cancelled" => N8nExecutionStatus.Canceled,
            _ => N8nExecutionStatus.Unknown,
        };

        string? error = null;
        JsonElement? output = null;
        if (TryGetPath(execution, out var result, "data", "resultData") && result.ValueKind == JsonValueKind.Object)
        {
            if (TryGetPath(result, out var message, "error", "message") && message.ValueKind == JsonValueKind.String)
            {
                error = message.GetString();
            }

            if (result.TryGetProperty("lastNodeExecuted", out var lastNode) && lastNode.ValueKind == JsonValueKind.String &&
                TryGetPath(result, out var runs, "runData", lastNode.GetString()!) && runs.ValueKind == JsonValueKind.Array && runs.GetArrayLength() > 0)
            {
                var lastRun = runs[runs.GetArrayLength() - 1];
                if (error is null && TryGetPath(lastRun, out var nodeError, "error", "message") && nodeError.ValueKind == JsonValueKind.String)
                {
                    error = nodeError.GetString();
                }

                var items = Items(runs).ToList();
                if (status == N8nExecutionStatus.Success)
                {
                    output = items.Count == 1 ? items[0].Clone() : JsonSerializer.SerializeToElement(items);
                }
            }
        }

        if (status is N8nExecutionStatus.Error or N8nExecutionStatus.Crashed && error is null)
        {
            error = $"n8n execution {id} ended '{statusWord}'.";
        }

        return new N8nExecution(id, workflowId, status, error, output);
    }

    /// <summary>The JSON of the items of a node's last run's first output.</summary>
    private static IEnumerable<JsonElement> Items(JsonElement runs)
    {
        if (runs.ValueKind != JsonValueKind.Array || runs.GetArrayLength() == 0)
        {
            yield break;
        }

        var run = runs[runs.GetArrayLength() - 1];
        if (!TryGetPath(run, out var main, "data", "main") || main.ValueKind != JsonValueKind.Array || main.GetArrayLength() == 0 || main[0].ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in main[0].EnumerateArray())
        {
            if (item.TryGetProperty("json", out var json))
            {
                yield return json;
            }
        }
    }

    private static bool TryGetPath(JsonElement element, out JsonElement value, params string[] path)
    {
        value = element;
        foreach (var name in path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<JsonElement> ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            return JsonSerializer.SerializeToElement<object?>(null);
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.Clone();
        }
        catch (JsonException)
        {
            // A workflow answering with text: pass the text on as a JSON string.
            return JsonSerializer.SerializeToElement(text);
        }
    }

    private HttpRequestMessage ApiRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("X-N8N-API-KEY", _options.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private async Task<T> SendForJsonAsync<T>(HttpRequestMessage request, TimeSpan timeoutAfter, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(timeoutAfter);
        using var response = await SendAsync(request, timeoutAfter, timeout.Token, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
        return await EngineErrors.ReadJsonAsync<T>(request, response, Json, Failure, timeout.Token);
    }

    private async Task<JsonDocument> SendForDocumentAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var response = await SendAsync(request, _options.RequestTimeout, timeout.Token, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            return await JsonDocument.ParseAsync(stream, cancellationToken: timeout.Token);
        }
        catch (JsonException e)
        {
            throw Failure(request, response.StatusCode, $"unreadable answer: {e.Message}", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan timeoutAfter, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        if (!_options.IsConfigured)
        {
            throw new N8nException("n8n is not configured: set N8n__BaseUrl.");
        }

        return await EngineErrors.SendAsync(_http, request, timeoutAfter, Failure, timeoutToken, callerToken);
    }

    private Task EnsureSuccessAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) =>
        EngineErrors.EnsureSuccessAsync(request, response, Failure, cancellationToken);

    private N8nException Failure(HttpRequestMessage request, HttpStatusCode? status, string message, Exception? inner = null)
    {
        // The path only: the API key travels in a header, never in the URL, so nothing secret is named here.
        Logs.N8nCallFailed(_logger, request.Method.Method, EngineErrors.PathOf(request), message);
        return new N8nException(EngineErrors.Describe("n8n", request, status, message), status, inner);
    }

    private sealed record WorkflowPage(
        [property: JsonPropertyName("data")] IReadOnlyList<WorkflowDto>? Data,
        [property: JsonPropertyName("nextCursor")] string? NextCursor);

    private sealed record WorkflowDto(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("active")] bool Active,
        [property: JsonPropertyName("isArchived")] bool? IsArchived,
        [property: JsonPropertyName("tags")] IReadOnlyList<TagDto>? Tags,
        [property: JsonPropertyName("nodes")] IReadOnlyList<NodeDto>? Nodes,
        [property: JsonPropertyName("activeVersion")] VersionDto? ActiveVersion)
    {
        public N8nWorkflow ToModel()
        {
            // n8n 1.1xx keeps a draft and the active version: the webhook that answers is the active version's.
            var nodes = ActiveVersion?.Nodes ?? Nodes ?? [];
            var webhook = nodes.Where(n => n.Type == WebhookNodeType && n.Disabled != true).Select(n => n.ToWebhook()).FirstOrDefault(w => w is not null);
            return new N8nWorkflow(Id, Name, Active, Tags?.Select(t => t.Name).ToList() ?? [], webhook);
        }
    }

    private sealed record TagDto([property: JsonPropertyName("name")] string Name);

    private sealed record VersionDto([property: JsonPropertyName("nodes")] IReadOnlyList<NodeDto>? Nodes);

    private sealed record NodeDto(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("disabled")] bool? Disabled,
        [property: JsonPropertyName("webhookId")] string? WebhookId,
        [property: JsonPropertyName("parameters")] JsonElement Parameters)
    {
        public N8nWebhook? ToWebhook()
        {
            var path = Parameters.ValueKind == JsonValueKind.Object && Parameters.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()!.Trim('/') : null;
            if (string.IsNullOrEmpty(path))
            {
                // The editor fills the path with the node's webhook id when left empty.
                path = WebhookId;
            }
            else if (path.Contains(':', StringComparison.Ordinal) && WebhookId is not null)
            {
                // A path with route parameters is registered under the node's webhook id.
                path = $"{WebhookId}/{path}";
            }

            return string.IsNullOrEmpty(path) ? null : new N8nWebhook(path, MethodOf(Parameters));
        }

        private static string MethodOf(JsonElement parameters)
        {
            if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("httpMethod", out var method))
            {
                return "GET"; // the Webhook node's default
            }

            if (method.ValueKind == JsonValueKind.Array)
            {
                // "Allow multiple HTTP methods": prefer one that carries a body.
                var methods = method.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!).ToList();
                return methods.FirstOrDefault(m => m == "POST") ?? methods.FirstOrDefault() ?? "GET";
            }

            return method.ValueKind == JsonValueKind.String ? method.GetString()! : "GET";
        }
    }
}
