using System.Text;
using System.Text.Json;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// The API's own words for a failure, from the first few KB of an error body: <c>message</c> (GitHub),
/// <c>errorMessages</c>/<c>errors</c> (Jira), <c>msg</c> (Zulip), <c>error</c> (Slack). Bodies are cut short,
/// never read whole.
/// </summary>
public static class ErrorDetail
{
    private const int Limit = 4096;

    public static async Task<string?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        string text;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[Limit];
            var read = 0;
            int n;
            while (read < Limit && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            text = Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }

        return FromJson(text) ?? Shorten(text);
    }

    private static string? FromJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var parts = new List<string>();
            foreach (var name in new[] { "message", "msg", "error", "errorMessages", "errors", "code" })
            {
                if (root.TryGetProperty(name, out var value))
                {
                    var part = value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString(),
                        JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Select(v => v.ToString())),
                        JsonValueKind.Object => string.Join("; ", value.EnumerateObject().Select(p => $"{p.Name}: {p.Value}")),
                        _ => value.ToString(),
                    };
                    if (!string.IsNullOrWhiteSpace(part))
                    {
                        parts.Add(part);
                    }
                }
            }

            return parts.Count == 0 ? null : Shorten(string.Join(" — ", parts.Distinct()));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Shorten(string text)
    {
        text = text.Trim();
        return text.Length == 0 ? null : text.Length > 300 ? text[..300] + "…" : text;
    }
}
