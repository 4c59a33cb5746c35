using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors.Rest;

/// <summary>
/// A generic JSON REST source. Records are streamed out of each response as they arrive
/// (<see cref="JsonRecordReader"/>) and handed off in pages of <c>pagination.pageSize</c>, so neither a response
/// nor a result is ever held whole. Incremental reads need a source that filters by <c>{cursor}</c> in the URL
/// and returns records in ascending cursor order; the cursor is a <see cref="WatermarkCursor"/>.
/// </summary>
public sealed partial class RestConnector(ConnectorServices services) : Connector<RestConfiguration, RestCredential>(services)
{
    public const string ConnectorId = "rest";
    public const string RecordsStream = "records";

    protected override ConnectorDescriptor Describe() => new()
    {
        Id = ConnectorId,
        DisplayName = "Generic REST",
        Category = "generic",
        Description = "Any JSON REST API: URL template, API key / bearer / basic auth, page / offset / cursor / Link pagination.",
        Capabilities = new ConnectorCapabilities(PollStreams: true, Actions: false, Webhooks: true),
        Streams = [new StreamDescriptor(RecordsStream, "The records the URL returns.", "Watermark on cursorField plus the ids seen at that value; the source must filter by {cursor} and return ascending cursorField order. deletedField marks deletions.")],
        RateLimit = RateLimitDefaults.Per(TimeSpan.FromSeconds(1), 10, 10),
        Credential = CredentialRequirement.DependsOnConfiguration,
    };

    /// <summary>A credential is needed for <c>auth</c> <c>apiKey</c>, <c>bearer</c> and <c>basic</c>, not for <c>none</c>.</summary>
    protected override bool RequiresCredential(RestConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Auth != RestAuthKind.None;
    }

    protected override async Task<ConnectionCheck> CheckAsync(ConnectorSession<RestConfiguration, RestCredential> session, CancellationToken cancellationToken)
    {
        var uri = FirstUri(session.Configuration, WatermarkCursor.From(null, session.Configuration.CursorStart), session.Credential);
        using var response = await session.Http.GetAsync(uri, r => Authorize(r, session.Configuration, session.Credential), cancellationToken);
        return ConnectionCheck.Success($"{uri.Host} answered {(int)response.StatusCode}.");
    }

    protected override async IAsyncEnumerable<RecordPage> ReadAsync(
        ConnectorSession<RestConfiguration, RestCredential> session,
        string stream,
        JsonElement? cursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var configuration = session.Configuration;
        var pagination = configuration.Pagination;
        var watermark = WatermarkCursor.From(cursor, configuration.CursorStart);
        var incremental = !string.IsNullOrWhiteSpace(configuration.CursorField);
        var first = FirstUri(configuration, watermark, session.Credential);
        Uri? next = Paged(first, configuration, pagination.StartPage, 0, null);
        var page = pagination.StartPage;
        long offset = 0;
        var emitted = false;
        var requests = 0;
        List<string> previousIds = [];
        while (next is not null)
        {
            requests++;
            using var response = await session.Http.GetAsync(next, r => Authorize(r, configuration, session.Credential), cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var parser = new JsonRecordReader(configuration.RecordSelector, [pagination.Kind == RestPaginationKind.Cursor ? pagination.NextCursorPath : null, pagination.HasMorePath, pagination.TotalPath], JsonRecordReader.DefaultMaxElementBytes);
            var count = 0;
            var ids = new List<string>();
            await foreach (var batch in parser.ReadAsync(body, pagination.PageSize, cancellationToken))
            {
                count += batch.Count;
                var records = new List<ConnectorRecord>(batch.Count);
                foreach (var item in batch)
                {
                    var id = JsonRecordReader.Select(item, configuration.IdField) is { } idValue ? Text(idValue) : null;
                    if (id is null)
                    {
                        throw new ConnectorException(ConnectorId, null, ConnectorErrorKind.Configuration, $"Generic REST: a record has no '{configuration.IdField}' (idField).");
                    }

                    ids.Add(id);
                    var record = ToRecord(configuration, id, item, watermark, incremental);
                    if (record is not null)
                    {
                        records.Add(record);
                    }
                }

                if (records.Count > 0)
                {
                    emitted = true;
                    yield return new RecordPage(records, watermark.ToJson());
                }
            }

            if (!parser.FoundRecords)
            {
                // An API error in a 200 answer ({"ok":false,"error":"invalid_auth"}) or a wrong recordSelector: neither heals by retrying.
                var where = $"Generic REST: the response of {next.Host}{next.AbsolutePath} has no array at '{(configuration.RecordSelector.Length == 0 ? "(root)" : configuration.RecordSelector)}' (recordSelector)";
                throw parser.ErrorText is { } words
                    ? new ConnectorException(ConnectorId, (int)response.StatusCode, ErrorKind(words), session.Http.Redact($"{where}; the API said: {words}"))
                    : new ConnectorException(ConnectorId, (int)response.StatusCode, ConnectorErrorKind.Configuration, $"{where}.");
            }

            if (count > 0 && ids.SequenceEqual(previousIds, StringComparer.Ordinal))
            {
                // The page number or offset moved but the source answered the same records: it ignores the parameter.
                var shown = session.Http.Redact($"GET {next.Host}:{next.Port}{next.PathAndQuery}");
                throw new PaginationStalledException(
                    ConnectorId,
                    shown,
                    requests,
                    requests - 1,
                    $"Generic REST: the pagination does not advance: request {requests} ({shown}) answered the same {count} records as request {requests - 1}; the source ignores the {PagingParameter(pagination)}.");
            }

            previousIds = ids;
            page++;
            offset += count;

            // What the API says about the end: has_more false, or as many records read as its total.
            var noMore = pagination.HasMorePath is { Length: > 0 } hasMorePath && parser.ScalarAt(hasMorePath) is "false";
            var allRead = pagination.TotalPath is { Length: > 0 } totalPath && long.TryParse(parser.ScalarAt(totalPath), NumberStyles.Integer, CultureInfo.InvariantCulture, out var total) && offset >= total;
            next = pagination.Kind switch
            {
                // Otherwise the end of data is an empty page: a page shorter than asked only means the server caps its page size.
                RestPaginationKind.Page or RestPaginationKind.Offset => count == 0 || noMore || allRead ? null : Paged(first, configuration, page, offset, null),
                RestPaginationKind.Cursor => !noMore && pagination.NextCursorPath is { Length: > 0 } cursorPath && parser.ScalarAt(cursorPath) is { Length: > 0 } token ? Paged(first, configuration, page, offset, token) : null,
                RestPaginationKind.Link => LinkHeader.Find(response.Headers, "next", next),
                _ => null,
            };
        }

        if (!emitted)
        {
            yield return new RecordPage([], watermark.ToJson());
        }
    }

    /// <summary>
    /// The kind of an error a source reported in a 200 body: words of OAuth 2.0 (RFC 6750 §3.1 <c>invalid_token</c>,
    /// RFC 6749 §5.2 <c>invalid_client</c>/<c>invalid_grant</c>) and Slack-style codes (<c>invalid_auth</c>, <c>not_authed</c>,
    /// <c>token_revoked</c>, <c>token_expired</c>, <c>account_inactive</c>), or "unauthorized"/"forbidden", are
    /// <see cref="ConnectorErrorKind.Authentication"/>; anything else <see cref="ConnectorErrorKind.Request"/>.
    /// </summary>
    public static ConnectorErrorKind ErrorKind(string words)
    {
        ArgumentNullException.ThrowIfNull(words);
        string[] auth = ["invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "invalid_token", "invalid_client", "invalid_grant", "unauthorized", "unauthenticated", "forbidden", "invalid api key", "invalid_api_key"];
        return auth.Any(a => words.Contains(a, StringComparison.OrdinalIgnoreCase)) ? ConnectorErrorKind.Authentication : ConnectorErrorKind.Request;
    }

    private static string PagingParameter(RestPagination pagination) => pagination.Kind switch
    {
        RestPaginationKind.Page => $"'{pagination.PageParameter}' parameter (pagination.pageParameter)",
        RestPaginationKind.Offset => $"'{pagination.OffsetParameter}' parameter (pagination.offsetParameter)",
        RestPaginationKind.Cursor => $"'{pagination.CursorParameter}' parameter (pagination.cursorParameter)",
        _ => "next link",
    };

    private static ConnectorRecord? ToRecord(RestConfiguration configuration, string id, JsonElement item, WatermarkCursor watermark, bool incremental)
    {
        string? version = null;
        if (incremental)
        {
            version = JsonRecordReader.Select(item, configuration.CursorField!) is { } value ? Text(value) : null;
            if (version is null)
            {
                throw new ConnectorException(ConnectorId, null, ConnectorErrorKind.Configuration, $"Generic REST: record {id} has no '{configuration.CursorField}' (cursorField).");
            }

            if (!watermark.IsNew(version, id))
            {
                return null;
            }

            watermark.Advance(version, id);
        }

        var deleted = configuration.DeletedField is { Length: > 0 } field && JsonRecordReader.Select(item, field) is { ValueKind: JsonValueKind.True };
        DateTimeOffset? timestamp = version is not null && WatermarkCursor.TryParseInstant(version, out var at) && !decimal.TryParse(version, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? at : null;
        return new ConnectorRecord(id, version, deleted ? RecordOperation.Delete : RecordOperation.Upsert, timestamp, item);
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static Uri FirstUri(RestConfiguration configuration, WatermarkCursor watermark, RestCredential credential)
    {
        var url = configuration.Url.Replace("{cursor}", Uri.EscapeDataString(watermark.Value ?? configuration.CursorStart), StringComparison.Ordinal);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ConnectorValidationException(ConnectorId, "configuration", [new FieldError("url", "An absolute http or https URL is required.")]);
        }

        return configuration is { Auth: RestAuthKind.ApiKey, ApiKeyQueryParameter: { Length: > 0 } parameter }
            ? WithQuery(uri, parameter, credential.ApiKey ?? "")
            : uri;
    }

    private static Uri Paged(Uri first, RestConfiguration configuration, int page, long offset, string? cursor)
    {
        var pagination = configuration.Pagination;
        return pagination.Kind switch
        {
            RestPaginationKind.Page => WithQuery(WithQuery(first, pagination.PageParameter, page.ToString(CultureInfo.InvariantCulture)), pagination.SizeParameter, pagination.PageSize.ToString(CultureInfo.InvariantCulture)),
            RestPaginationKind.Offset => WithQuery(WithQuery(first, pagination.OffsetParameter, offset.ToString(CultureInfo.InvariantCulture)), pagination.SizeParameter, pagination.PageSize.ToString(CultureInfo.InvariantCulture)),
            RestPaginationKind.Cursor => WithQuery(cursor is null ? first : WithQuery(first, pagination.CursorParameter, cursor), pagination.SizeParameter, pagination.PageSize.ToString(CultureInfo.InvariantCulture)),
            RestPaginationKind.Link => WithQuery(first, pagination.SizeParameter, pagination.PageSize.ToString(CultureInfo.InvariantCulture)),
            _ => first,
        };
    }

    /// <summary>Sets query parameter <paramref name="name"/>, replacing an existing one.</summary>
    private static Uri WithQuery(Uri uri, string name, string value)
    {
        var kept = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !string.Equals(Uri.UnescapeDataString(p.Split('=')[0]), name, StringComparison.Ordinal));
        var builder = new UriBuilder(uri) { Query = string.Join('&', kept.Append($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}")) };
        return builder.Uri;
    }

    private static void Authorize(HttpRequestMessage request, RestConfiguration configuration, RestCredential credential)
    {
        switch (configuration.Auth)
        {
            case RestAuthKind.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Require(credential.Token, "token"));
                break;
            case RestAuthKind.Basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Require(credential.Username, "username")}:{credential.Password}")));
                break;
            case RestAuthKind.ApiKey when string.IsNullOrEmpty(configuration.ApiKeyQueryParameter):
                request.Headers.TryAddWithoutValidation(configuration.ApiKeyHeader, Require(credential.ApiKey, "apiKey"));
                break;
        }
    }

    private static string Require(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new ConnectorValidationException(ConnectorId, "credential", [new FieldError(field, "Required by the configured auth.")]) : value;
}
