using System.Net.Http.Headers;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// RFC 8288 <c>Link</c> headers, as GitHub and many REST APIs page with them:
/// <c>&lt;https://api.github.com/...&amp;page=2&gt;; rel="next", &lt;...&gt;; rel="last"</c>.
/// </summary>
public static class LinkHeader
{
    /// <summary>The target of relation <paramref name="rel"/> (e.g. <c>next</c>), resolved against <paramref name="requestUri"/>; <see langword="null"/> if absent.</summary>
    public static Uri? Find(HttpResponseHeaders headers, string rel, Uri? requestUri)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.TryGetValues("Link", out var values)
            ? values.Select(v => Find(v, rel, requestUri)).FirstOrDefault(u => u is not null)
            : null;
    }

    /// <summary>The target of relation <paramref name="rel"/> in one header value.</summary>
    public static Uri? Find(string header, string rel, Uri? requestUri)
    {
        ArgumentNullException.ThrowIfNull(header);
        var position = 0;
        while (position < header.Length)
        {
            var open = header.IndexOf('<', position);
            var close = open < 0 ? -1 : header.IndexOf('>', open + 1);
            if (close < 0)
            {
                return null;
            }

            var target = header[(open + 1)..close];
            var next = header.IndexOf('<', close + 1);
            var parameters = (next < 0 ? header[(close + 1)..] : header[(close + 1)..next]).TrimEnd(' ', ',');
            position = next < 0 ? header.Length : next;
            foreach (var parameter in parameters.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = parameter.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0 || !parameter[..equals].Trim().Equals("rel", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var rels = parameter[(equals + 1)..].Trim().Trim('"').Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (rels.Contains(rel, StringComparer.OrdinalIgnoreCase))
                {
                    return requestUri is null ? new Uri(target, UriKind.RelativeOrAbsolute) : new Uri(requestUri, target);
                }
            }
        }

        return null;
    }
}
