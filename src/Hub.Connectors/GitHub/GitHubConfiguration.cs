using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Connectors.GitHub;

/// <summary>Which repository to read, and where GitHub is (github.com or a GitHub Enterprise Server).</summary>
[Description("A GitHub repository's issues and comments.")]
public sealed record GitHubConfiguration
{
    [Description("Repository owner (user or organization).")]
    [Required]
    [RegularExpression("^[A-Za-z0-9-_.]+$")]
    public required string Owner { get; init; }

    [Description("Repository name.")]
    [Required]
    [RegularExpression("^[A-Za-z0-9-_.]+$")]
    public required string Repository { get; init; }

    [Description("REST API base URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.")]
    [DefaultValue("https://api.github.com")]
    [Url]
    public string ApiBaseUrl { get; init; } = "https://api.github.com";

    [Description("Items per page (GitHub allows at most 100).")]
    [DefaultValue(100)]
    [Range(1, 100)]
    public int PageSize { get; init; } = 100;
}

/// <summary>A personal access token or GitHub App installation token.</summary>
public sealed record GitHubCredential
{
    [Description("Token sent as 'Authorization: Bearer <token>'.")]
    [Required]
    [Secret]
    public required string Token { get; init; }
}

/// <summary>Input of <c>create_comment</c>.</summary>
public sealed record CreateCommentInput
{
    [Description("The issue or pull request number.")]
    [Range(1, int.MaxValue)]
    public required int IssueNumber { get; init; }

    [Description("Comment text (Markdown).")]
    [Required]
    [StringLength(65536, MinimumLength = 1)]
    public required string Body { get; init; }
}
