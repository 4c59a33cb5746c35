using System.Globalization;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Scheduling;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Schedules;

/// <summary>
/// <c>GET /api/v1/schedules/occurrences?schedule=&amp;count=</c>: when a six-field NCRONTAB schedule fires
/// next, evaluated exactly as integration schedules are (<see cref="IntegrationSchedule"/>, on NCrontab, in
/// UTC) — what the dashboard shows beside the schedule field before anything is saved.
/// </summary>
[Requires(Access.TenantOrAdmin)]
[Tags("Integrations")]
public sealed class SchedulesFunctions(TimeProvider time)
{
    /// <summary>The most occurrences one request may ask for.</summary>
    public const int MaxCount = 50;

    /// <summary>A schedule and its next occurrences.</summary>
    /// <param name="Schedule">The expression, trimmed.</param>
    /// <param name="Occurrences">The next firings after now, in UTC, earliest first.</param>
    public sealed record ScheduleOccurrences(string Schedule, IReadOnlyList<DateTimeOffset> Occurrences);

    /// <summary>200 with the next <c>count</c> (1-50, default 5) occurrences; 400 with a field error on <c>schedule</c> or <c>count</c>.</summary>
    [Function("ListScheduleOccurrences")]
    [EndpointSummary("The next occurrences of a six-field NCRONTAB schedule, in UTC (?schedule=, ?count=1..50, default 5)")]
    [QueryParameter("schedule", typeof(string), "Six-field NCRONTAB: {second} {minute} {hour} {day} {month} {day-of-week}.")]
    [QueryParameter("count", typeof(int), "How many occurrences, 1 to 50 (default 5).")]
    [ProducesResponseType<ScheduleOccurrences>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/schedules/occurrences")] HttpRequest request)
    {
        var countText = Query.Text(request, "count");
        var count = 5;
        if (countText is not null && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxCount))
        {
            return ApiProblems.Validation("count", $"must be a whole number between 1 and {MaxCount}.");
        }

        if (!IntegrationSchedule.TryParse(request.Query["schedule"].ToString(), out var schedule, out var error))
        {
            return ApiProblems.Validation("schedule", error);
        }

        return TypedResults.Ok(new ScheduleOccurrences(schedule.Expression, schedule.GetNextOccurrences(time.GetUtcNow(), count)));
    }
}
