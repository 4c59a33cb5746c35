using IntegrationHub.Shared.Scheduling;

namespace IntegrationHub.Shared.Tests.Scheduling;

/// <summary>
/// The NCRONTAB examples from the Azure Functions timer trigger documentation, evaluated by NCrontab through
/// <see cref="IntegrationSchedule"/>, and the hub's own rules on top (blank and never-firing schedules refused, UTC).
/// </summary>
public sealed class IntegrationScheduleTests
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
        var occurrences = IntegrationSchedule.Parse(expression).GetNextOccurrences(Monday, 3).Select(Text).ToArray();

        Assert.Equal([first, second, third], occurrences);
    }

    [Fact]
    public void Odd_weekdays_from_monday_never_fire_on_a_sunday_in_a_year()
    {
        // "1/2" is 1, 3, 5 in NCrontab (day-of-week runs 0-6); our old parser let it reach 7 and fire on Sundays.
        var schedule = IntegrationSchedule.Parse("0 0 9 * * 1/2");

        var year = schedule.GetOccurrences(Monday, Monday.AddYears(1)).ToList();

        Assert.InRange(year.Count, 155, 158); // three a week
        Assert.DoesNotContain(year, o => o.DayOfWeek == DayOfWeek.Sunday);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Friday], year.Select(o => o.DayOfWeek).Distinct().Order());
    }

    [Fact]
    public void The_next_five_occurrences_are_in_utc_strictly_after_the_time_given()
    {
        var inParis = new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(1)); // 09:00:00Z, itself an occurrence

        var next = IntegrationSchedule.Parse("0 0 9 * * *").GetNextOccurrences(inParis, 5);

        Assert.Equal(["2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-09T09:00:00Z", "2026-01-10T09:00:00Z"], next.Select(Text));
        Assert.All(next, o => Assert.Equal(TimeSpan.Zero, o.Offset));
    }

    [Fact]
    public void Occurrences_include_the_end_of_the_window_and_exclude_its_start()
    {
        var nine = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

        var hours = IntegrationSchedule.Parse("0 0 * * * *").GetOccurrences(nine, nine.AddHours(2)).Select(Text);

        Assert.Equal(["2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z"], hours);
    }

    [Fact]
    public void Weekday_at_nine_thirty_skips_the_weekend()
    {
        var friday = new DateTimeOffset(2026, 1, 9, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 1, 12, 9, 30, 0, TimeSpan.Zero), IntegrationSchedule.Parse("0 30 9 * * 1-5").GetNextOccurrence(friday));
    }

    [Fact]
    public void A_day_must_match_both_day_of_month_and_day_of_week()
    {
        // Friday the 13th.
        Assert.Equal(new DateTimeOffset(2026, 2, 13, 0, 0, 0, TimeSpan.Zero), IntegrationSchedule.Parse("0 0 0 13 * FRI").GetNextOccurrence(Monday));
    }

    [Fact]
    public void A_rare_but_real_date_is_accepted()
    {
        // 29 February on a Monday: 2044 next; the 400-year cycle check must not take rare for never.
        Assert.Equal(new DateTimeOffset(2044, 2, 29, 0, 0, 0, TimeSpan.Zero), IntegrationSchedule.Parse("0 0 0 29 2 Mon").GetNextOccurrence(Monday));
    }

    [Theory]
    [InlineData("0 0 0 30 2 *", "never fires")]
    [InlineData("0 0 0 31 4,6,9,11 *", "never fires")]
    [InlineData("   ", "cannot be blank")]
    [InlineData("", "cannot be blank")]
    [InlineData("* * * * *", "has 5 fields; NCRONTAB needs six")]
    [InlineData("0 60 * * * *", "[Minute] field")]
    [InlineData("0 0 25 * * *", "[Hour] field")]
    [InlineData("0 0 0 0 * *", "[Day] field")]
    [InlineData("0 0 0 * 13 *", "[Month] field")]
    [InlineData("0 0 0 * FOO *", "[Month] crontab field")]
    [InlineData("0 0 12 * * 7", "[DayOfWeek] field")] // the Functions host refuses 7 too
    public void Invalid_expressions_say_what_is_wrong(string expression, string expected)
    {
        Assert.False(IntegrationSchedule.TryParse(expression, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => IntegrationSchedule.Parse(expression));
    }

    private static string Text(DateTimeOffset o) => o.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
