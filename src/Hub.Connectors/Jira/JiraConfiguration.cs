using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Connectors.Jira;

/// <summary>Which Jira Cloud site and issues to read.</summary>
[Description("Issues of a Jira Cloud site, selected by JQL.")]
public sealed record JiraConfiguration
{
    [Description("Site URL, e.g. https://your-domain.atlassian.net.")]
    [Required]
    [Url]
    public required string SiteUrl { get; init; }

    [Description("JQL filter without ORDER BY, e.g. 'project = ABC'. The connector adds the 'updated' bound and the order.")]
    [DefaultValue("")]
    [StringLength(2000)]
    public string Jql { get; init; } = "";

    [Description("Issue fields to return; 'updated' is always added.")]
    public IReadOnlyList<string> Fields { get; init; } = ["summary", "status", "issuetype", "assignee", "reporter", "priority", "labels", "created", "updated"];

    [Description("Issues per page (Jira returns at most 100 with fields).")]
    [DefaultValue(100)]
    [Range(1, 100)]
    public int PageSize { get; init; } = 100;

    [Description("Time zone of the Jira user whose token is used (JQL dates are read in it), IANA id.")]
    [DefaultValue("UTC")]
    public string TimeZone { get; init; } = "UTC";
}

/// <summary>An Atlassian account email and API token (basic auth).</summary>
public sealed record JiraCredential
{
    [Description("Atlassian account email.")]
    [Required]
    [EmailAddress]
    public required string Email { get; init; }

    [Description("API token from id.atlassian.com.")]
    [Required]
    [Secret]
    public required string ApiToken { get; init; }
}

/// <summary>Input of <c>create_issue</c>.</summary>
public sealed record CreateIssueInput
{
    [Description("Project key, e.g. ABC.")]
    [Required]
    [RegularExpression("^[A-Z][A-Z0-9_]+$")]
    public required string ProjectKey { get; init; }

    [Required]
    [StringLength(255, MinimumLength = 1)]
    public required string Summary { get; init; }

    [Description("Issue type name.")]
    [DefaultValue("Task")]
    public string IssueType { get; init; } = "Task";

    [Description("Plain-text description; sent as an Atlassian Document Format paragraph.")]
    public string? Description { get; init; }
}
