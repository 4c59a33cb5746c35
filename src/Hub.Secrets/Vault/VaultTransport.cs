using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Secrets.Vault;

/// <summary>
/// One HTTP exchange with Vault: the <c>/v1/</c> path, the <c>X-Vault-Token</c> and
/// <c>X-Vault-Namespace</c> headers, a JSON body written straight from the caller's values, and the
/// answer parsed from the response stream. Turns Vault's <c>{"errors":[...]}</c> answers into typed,
/// secret-free exceptions.
/// </summary>
internal sealed class VaultTransport(IHttpClientFactory httpClients, IOptions<VaultOptions> options)
{
    /// <summary>The named <see cref="HttpClient"/> Vault calls use.</summary>
    public const string HttpClientName = "IntegrationHub.Vault";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    public VaultOptions Options { get; } = options.Value;

    /// <summary>Vault's host and port, the only part of the address messages show.</summary>
    public string Host => Uri.TryCreate(Options.Address, UriKind.Absolute, out var uri) ? uri.Authority : "vault";

    /// <summary>Sends a request and returns the status and parsed body, whatever the status. Network failures become <see cref="VaultException"/>.</summary>
    public async Task<VaultResponse> SendAsync(HttpMethod method, string path, Action<Utf8JsonWriter>? body, string? token, string operation, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(method, new Uri(BaseUri(), "v1/" + path));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Token", token);
        }

        if (!string.IsNullOrWhiteSpace(Options.Namespace))
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Namespace", Options.Namespace);
        }

        // Secret values pass through this buffer only; Clear() zeroes it once the request is done.
        ArrayBufferWriter<byte>? buffer = null;
        try
        {
            if (body is not null)
            {
                buffer = new ArrayBufferWriter<byte>(4096);
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    body(writer);
                }

                request.Content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
                request.Content.Headers.ContentType = JsonMediaType;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.Timeout);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            JsonDocument? document = null;
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                try
                {
                    document = await JsonDocument.ParseAsync(stream, cancellationToken: timeout.Token);
                }
                catch (JsonException)
                {
                    // Not JSON (a proxy's error page): the status alone tells what happened.
                }
            }

            return new VaultResponse((int)response.StatusCode, document);
        }
        catch (HttpRequestException e)
        {
            throw new VaultException($"Vault at {Host} is not reachable ({operation}): {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VaultException($"Vault at {Host} did not answer within {Options.Timeout.TotalSeconds:0.###} s ({operation}; Vault__Timeout).", e);
        }
        finally
        {
            buffer?.Clear();
        }
    }

    /// <summary>The exception for a failed answer. Vault's own error strings are included: they describe the failure, never the data.</summary>
    public VaultException Failure(VaultResponse response, string operation)
    {
        var errors = response.Errors();
        var detail = errors.Length == 0 ? string.Empty : ": " + errors;
        var status = response.Status;
        return status switch
        {
            503 when errors.Contains("sealed", StringComparison.OrdinalIgnoreCase) || errors.Length == 0 =>
                new VaultSealedException($"Vault at {Host} is sealed (503); {operation} cannot run until an operator unseals it.") { StatusCode = status },
            503 => new VaultException($"Vault at {Host} is unavailable (503) for {operation}{detail}") { StatusCode = status },
            403 => new VaultPermissionDeniedException($"Vault at {Host} denied {operation} (403 permission denied): the policy of the hub's token does not allow it, or the token is no longer valid.") { StatusCode = status },
            412 => new VaultException($"Vault at {Host} answered 412 to {operation}: a performance standby has not caught up with the required state yet; retry shortly{detail}") { StatusCode = status },
            429 => new VaultException($"Vault at {Host} rate-limited {operation} (429){detail}") { StatusCode = status },
            404 => new VaultException($"Vault at {Host} has nothing at the path of {operation} (404){detail}; check Vault__KvMount and that the engine is KV version 2.") { StatusCode = status },
            _ => new VaultException($"Vault at {Host} answered {status} to {operation}{detail}") { StatusCode = status },
        };
    }

    private Uri BaseUri()
    {
        var address = Options.Address ?? throw new InvalidOperationException("Vault is not configured (Vault__Address is empty).");
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}

/// <summary>Vault's answer: the status and the JSON body (null for 204 or a non-JSON body).</summary>
internal sealed class VaultResponse(int status, JsonDocument? body) : IDisposable
{
    public int Status { get; } = status;

    public JsonDocument? Body { get; } = body;

    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The body's root, or an undefined element.</summary>
    public JsonElement Root => Body?.RootElement ?? default;

    /// <summary>Vault's <c>errors</c> array joined, at most 300 characters.</summary>
    public string Errors()
    {
        if (Root.ValueKind != JsonValueKind.Object || !Root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
        {
            return string.Empty;
        }

        var text = string.Join("; ", errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()));
        return text.Length > 300 ? text[..300] : text;
    }

    public void Dispose() => Body?.Dispose();
}
