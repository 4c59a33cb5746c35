using IntegrationHub.Shared.Scheduling;

namespace IntegrationHub.Shared.Tests.Scheduling;

/// <summary>The NCRONTAB examples from the Azure Functions timer trigger documentation, and the parser's errors.</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Monday = new(2026, 1, 5, 8, 59, 30, TimeSpan.Zero); // a Monday in January

    [Theory]
    [InlineData("0 */5 * * * *", "2026-01-05T09:00:00Z", "2026-01-05T09:05:00Z", "2026-01-05T09:10:00Z")] // every five minutes
    [InlineData("0 0 * * * *", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z")] // top of every hour
    [InlineData("0 0 */2 * * *", "2026-01-05T10:00:00Z", "2026-01-05T12:00:00Z", "2026-01-05T14:00:00Z")] // every two hours
    [InlineData("0 0 9-17 * * *", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z")] // hourly 9 to 5
    [InlineData("0 30 9 * * *", "2026-01-05T09:30:00Z", "2026-01-06T09:30:00Z", "2026-01-07T09:30:00Z")] // 9:30 every day
    [InlineData("0 30 9 * * 1-5", "2026-01-05T09:30:00Z", "2026-01-06T09:30:00Z", "2026-01-07T09:30:00Z")] // 9:30 every weekday
    [InlineData("0 30 9 * Jan Mon", "2026-01-05T09:30:00Z", "2026-01-12T09:30:00Z", "2026-01-19T09:30:00Z")] // 9:30 Mondays in January
    [InlineData("*/15 * * * * *", "2026-01-05T08:59:45Z", "2026-01-05T09:00:00Z", "2026-01-05T09:00:15Z")] // every 15 seconds
    [InlineData("0 0 0 1 * *", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")] // first of the month
    public void Documented_examples_fire_at_the_documented_times(string expression, string first, string second, string third)
    {
        var schedule = CronSchedule.Parse(expression);

        var occurrences = schedule.GetOccurrences(Monday, Monday.AddYears(1)).Take(3).Select(o => o.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ")).ToArray();

        Assert.Equal([first, second, third], occurrences);
    }

    [Fact]
    public void Weekday_at_nine_thirty_skips_the_weekend()
    {
        var friday = new DateTimeOffset(2026, 1, 9, 10, 0, 0, TimeSpan.Zero);

        var next = CronSchedule.Parse("0 30 9 * * 1-5").GetNextOccurrence(friday);

        Assert.Equal(new DateTimeOffset(2026, 1, 12, 9, 30, 0, TimeSpan.Zero), next);
    }

    [Theory]
    [InlineData("0 0 12 * * SUN", DayOfWeek.Sunday)]
    [InlineData("0 0 12 * * 0", DayOfWeek.Sunday)]
    [InlineData("0 0 12 * * 7", DayOfWeek.Sunday)]
    [InlineData("0 0 12 * * sat", DayOfWeek.Saturday)]
    public void Day_of_week_takes_names_and_both_sundays(string expression, DayOfWeek expected)
    {
        var next = CronSchedule.Parse(expression).GetNextOccurrence(Monday);

        Assert.Equal(expected, next!.Value.DayOfWeek);
    }

    [Fact]
    public void Lists_ranges_and_steps_combine()
    {
        var schedule = CronSchedule.Parse("0 5,10-20/5,50 * * * *");

        var minutes = schedule.GetOccurrences(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 5, 9, 59, 59, TimeSpan.Zero))
            .Select(o => o.Minute);

        Assert.Equal([5, 10, 15, 20, 50], minutes);
    }

    [Fact]
    public void A_value_with_a_step_runs_from_the_value_to_the_end_of_the_field()
    {
        var hours = CronSchedule.Parse("0 0 20/2 * * *")
            .GetOccurrences(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 5, 23, 59, 59, TimeSpan.Zero))
            .Select(o => o.Hour);

        Assert.Equal([20, 22], hours);
    }

    [Fact]
    public void A_day_must_match_both_day_of_month_and_day_of_week()
    {
        // Friday the 13th.
        var next = CronSchedule.Parse("0 0 0 13 * FRI").GetNextOccurrence(Monday);

        Assert.Equal(new DateTimeOffset(2026, 2, 13, 0, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void A_schedule_that_never_fires_has_no_next_occurrence()
    {
        Assert.Null(CronSchedule.Parse("0 0 0 30 2 *").GetNextOccurrence(Monday));
    }

    [Fact]
    public void Occurrences_are_strictly_after_the_given_time()
    {
        var exactlyOnTime = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

        Assert.Equal(exactlyOnTime.AddMinutes(5), CronSchedule.Parse("0 */5 * * * *").GetNextOccurrence(exactlyOnTime));
    }

    [Fact]
    public void Evaluates_in_a_given_time_zone()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

        var next = CronSchedule.Parse("0 0 9 * * *").GetNextOccurrence(new DateTimeOffset(2026, 1, 5, 0, 30, 0, TimeSpan.Zero), tokyo);

        Assert.Equal(new DateTimeOffset(2026, 1, 6, 0, 0, 0, TimeSpan.Zero), next!.Value.ToUniversalTime());
    }

    [Theory]
    [InlineData("* * * * *", "needs six")]
    [InlineData("0 60 * * * *", "minute field '60'")]
    [InlineData("0 0 25 * * *", "hour field '25'")]
    [InlineData("0 0 0 0 * *", "day field '0'")]
    [InlineData("0 0 0 * 13 *", "month field '13'")]
    [InlineData("0 0 0 * FOO *", "month field 'FOO'")]
    [InlineData("0 0 0 * * MONDAY", "day-of-week field 'MONDAY'")]
    [InlineData("0 */0 * * * *", "step")]
    [InlineData("0 10-5 * * * *", "backwards")]
    [InlineData("", "required")]
    public void Invalid_expressions_name_the_field_at_fault(string expression, string expected)
    {
        Assert.False(CronSchedule.TryParse(expression, out _, out var error));
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
    }
}
