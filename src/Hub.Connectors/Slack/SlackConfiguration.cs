using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Connectors.Slack;

/// <summary>Which Slack channel to read.</summary>
[Description("Messages of a Slack channel.")]
public sealed record SlackConfiguration
{
    [Description("Channel id (C..., G... or D...), as shown in the channel's details.")]
    [Required]
    [RegularExpression("^[CGD][A-Z0-9]{2,}$")]
    public required string Channel { get; init; }

    [Description("Messages per page; Slack recommends at most 200.")]
    [DefaultValue(200)]
    [Range(1, 999)]
    public int PageSize { get; init; } = 200;

    [Description("Web API base URL.")]
    [DefaultValue("https://slack.com/api")]
    [Url]
    public string ApiBaseUrl { get; init; } = "https://slack.com/api";
}

/// <summary>A bot or user token with <c>channels:history</c> (and <c>chat:write</c> to send).</summary>
public sealed record SlackCredential
{
    [Description("Token sent as 'Authorization: Bearer xoxb-...'.")]
    [Required]
    [RegularExpression("^xox[abpe]-.+$")]
    [Secret]
    public required string BotToken { get; init; }
}

/// <summary>Input of <c>send_message</c>.</summary>
public sealed record SlackSendMessageInput
{
    [Description("Channel id; the configured channel when omitted.")]
    [RegularExpression("^[CGD][A-Z0-9]{2,}$")]
    public string? Channel { get; init; }

    [Description("Message text (mrkdwn).")]
    [Required]
    [StringLength(40000, MinimumLength = 1)]
    public required string Text { get; init; }

    [Description("Reply in this thread (the parent message's ts).")]
    public string? ThreadTs { get; init; }
}
