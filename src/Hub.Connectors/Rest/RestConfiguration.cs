using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntegrationHub.Connectors.Rest;

/// <summary>How a generic REST source authenticates.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RestAuthKind>))]
public enum RestAuthKind
{
    None,
    ApiKey,
    Bearer,
    Basic,
}

/// <summary>How a generic REST source pages.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RestPaginationKind>))]
public enum RestPaginationKind
{
    /// <summary>One request.</summary>
    None,

    /// <summary>A page-number parameter, until an empty page (a page shorter than asked does not end the read: servers cap page sizes).</summary>
    Page,

    /// <summary>An offset parameter advanced by the records each page held, until an empty page.</summary>
    Offset,

    /// <summary>A cursor taken from the body, until it is empty.</summary>
    Cursor,

    /// <summary>The <c>Link</c> header's <c>rel="next"</c>.</summary>
    Link,
}

/// <summary>A generic JSON REST source.</summary>
[Description("Any JSON REST API: URL template, auth, pagination, record selector and cursor field.")]
public sealed record RestConfiguration
{
    [Description("URL; '{cursor}' is replaced by the URL-encoded cursor value (or cursorStart), e.g. https://api.example.com/items?updated_since={cursor}.")]
    [Required]
    [StringLength(4000)]
    public required string Url { get; init; }

    [Description("Dotted path of the records array in the body, e.g. 'data.items'; empty when the body is the array.")]
    [DefaultValue("")]
    public string RecordSelector { get; init; } = "";

    [Description("Dotted path of a record's id.")]
    [DefaultValue("id")]
    [Required]
    public string IdField { get; init; } = "id";

    [Description("Dotted path of the field the source filters and orders by (ascending), e.g. 'updated_at'; empty reads everything every time.")]
    public string? CursorField { get; init; }

    [Description("Cursor value of the first read.")]
    [DefaultValue("")]
    public string CursorStart { get; init; } = "";

    [Description("Dotted path of a boolean that marks a record deleted, e.g. 'deleted'.")]
    public string? DeletedField { get; init; }

    public RestAuthKind Auth { get; init; } = RestAuthKind.None;

    [Description("Header carrying the API key (auth apiKey).")]
    [DefaultValue("X-API-Key")]
    public string ApiKeyHeader { get; init; } = "X-API-Key";

    [Description("Query parameter carrying the API key instead of the header.")]
    public string? ApiKeyQueryParameter { get; init; }

    public RestPagination Pagination { get; init; } = new();

    [Description("How the source signs the webhooks it pushes (POST /api/v1/webhooks/{integrationId}).")]
    public RestWebhook Webhook { get; init; } = new();
}

/// <summary>How a generic REST source signs its webhooks: an HMAC-SHA256 of the raw body in lower- or upper-case hex, keyed by the hub's webhook secret, in a header.</summary>
public sealed record RestWebhook
{
    [Description("Header carrying the signature.")]
    [DefaultValue("X-Signature-256")]
    [Required]
    [StringLength(100, MinimumLength = 1)]
    [RegularExpression("^[A-Za-z0-9-]+$")]
    public string SignatureHeader { get; init; } = "X-Signature-256";

    [Description("Text before the hex digest in the header, e.g. 'sha256='; empty for none.")]
    [DefaultValue("sha256=")]
    [StringLength(50)]
    public string SignaturePrefix { get; init; } = "sha256=";

    [Description("Header carrying the delivery id, the same on every redelivery (deduplication).")]
    [DefaultValue("X-Webhook-Id")]
    [Required]
    [StringLength(100, MinimumLength = 1)]
    [RegularExpression("^[A-Za-z0-9-]+$")]
    public string DeliveryIdHeader { get; init; } = "X-Webhook-Id";
}

/// <summary>Pagination settings.</summary>
public sealed record RestPagination
{
    public RestPaginationKind Kind { get; init; } = RestPaginationKind.None;

    [Description("Records per request (size parameter). Page/offset pagination ends at an empty page, not at a shorter one: a server may cap the size.")]
    [DefaultValue(100)]
    [Range(1, 10_000)]
    public int PageSize { get; init; } = 100;

    [DefaultValue("per_page")]
    public string SizeParameter { get; init; } = "per_page";

    [DefaultValue("page")]
    public string PageParameter { get; init; } = "page";

    [DefaultValue(1)]
    [Range(0, int.MaxValue)]
    public int StartPage { get; init; } = 1;

    [DefaultValue("offset")]
    public string OffsetParameter { get; init; } = "offset";

    [DefaultValue("cursor")]
    public string CursorParameter { get; init; } = "cursor";

    [Description("Dotted path of the next cursor in the body, e.g. 'meta.next_cursor'.")]
    [DefaultValue("next_cursor")]
    public string NextCursorPath { get; init; } = "next_cursor";

    [Description("Dotted path of a boolean saying whether more pages follow, e.g. 'has_more' or 'meta.hasNext'; false ends the read (page, offset, cursor). Empty: not used.")]
    public string? HasMorePath { get; init; }

    [Description("Dotted path of the total number of records the query matches, e.g. 'total' or 'meta.total'; page and offset pagination end once that many were read. Empty: not used.")]
    public string? TotalPath { get; init; }
}

/// <summary>The secret for the chosen auth kind.</summary>
public sealed record RestCredential
{
    [Secret]
    public string? ApiKey { get; init; }

    [Secret]
    public string? Token { get; init; }

    public string? Username { get; init; }

    [Secret]
    public string? Password { get; init; }
}
