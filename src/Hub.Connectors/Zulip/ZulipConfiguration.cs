using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Connectors.Zulip;

/// <summary>Which Zulip organization and messages to read.</summary>
[Description("Messages of a Zulip organization, filtered by a narrow.")]
public sealed record ZulipConfiguration
{
    [Description("Organization URL, e.g. https://example.zulipchat.com or a self-hosted server.")]
    [Required]
    [Url]
    public required string SiteUrl { get; init; }

    [Description("Narrow filter terms, e.g. [{\"operator\":\"channel\",\"operand\":\"general\"}]; empty reads every message the user can access.")]
    public IReadOnlyList<ZulipNarrowTerm> Narrow { get; init; } = [];

    [Description("Messages per request (Zulip allows up to 5000; 1000 is its recommendation).")]
    [DefaultValue(1000)]
    [Range(1, 5000)]
    public int PageSize { get; init; } = 1000;
}

/// <summary>One narrow term.</summary>
public sealed record ZulipNarrowTerm
{
    [Description("channel, stream, topic, sender, dm, search, is, has, ...")]
    [Required]
    [RegularExpression("^[a-z-]+$")]
    public required string Operator { get; init; }

    [Required]
    public required string Operand { get; init; }

    [Description("Exclude matches instead of including them.")]
    public bool Negated { get; init; }
}

/// <summary>A Zulip account's email and API key (basic auth).</summary>
public sealed record ZulipCredential
{
    [Description("The bot's or user's Zulip email.")]
    [Required]
    public required string Email { get; init; }

    [Description("API key from the account's settings.")]
    [Required]
    [Secret]
    public required string ApiKey { get; init; }
}

/// <summary>Input of <c>send_message</c>.</summary>
public sealed record ZulipSendMessageInput
{
    [Description("'stream' (a channel message) or 'direct'.")]
    [DefaultValue("stream")]
    [RegularExpression("^(stream|channel|direct)$")]
    public string Type { get; init; } = "stream";

    [Description("Channel name or id; for direct messages a comma-separated list of user ids or emails.")]
    [Required]
    public required string To { get; init; }

    [Description("Topic (required for channel messages).")]
    [StringLength(60)]
    public string? Topic { get; init; }

    [Required]
    [StringLength(10000, MinimumLength = 1)]
    public required string Content { get; init; }
}
