using System.Diagnostics.CodeAnalysis;
using NCrontab;

namespace IntegrationHub.Shared.Scheduling;

/// <summary>
/// A six-field NCRONTAB schedule, <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, parsed and
/// evaluated by the NCrontab package — the library the Azure Functions host uses for timer triggers — so an
/// integration's schedule means exactly what the same text means in a <c>function.json</c>.
/// </summary>
/// <remarks>
/// <para>
/// Rules are NCrontab's (<see href="https://github.com/atifaziz/NCrontab/wiki/Crontab-Expression"/>): each field
/// takes <c>*</c>, a value, a range <c>a-b</c>, a step <c>*/n</c>, <c>a/n</c> (from <c>a</c> to the field's
/// maximum) or <c>a-b/n</c>, and comma-separated lists of those; months take names (<c>Jan</c>..<c>Dec</c>),
/// days of week take names (<c>Sun</c>..<c>Sat</c>) or <c>0</c>..<c>6</c> (Sunday is 0; 7 is refused); a day must
/// match both the day-of-month and the day-of-week fields.
/// </para>
/// <para>
/// <b>Time zone:</b> every time is evaluated and returned in UTC (offset zero), whatever the offset of the
/// time given; <c>0 0 9 * * *</c> fires at 09:00:00Z. The hub adds one rule of its own: a schedule that can
/// never fire (for example <c>0 0 0 30 2 *</c>, 30 February) is refused — the Gregorian calendar repeats
/// every 400 years, so a schedule with no occurrence in one cycle has none at all.
/// </para>
/// </remarks>
public sealed class IntegrationSchedule
{
    /// <summary>The calendar's cycle: a schedule with no occurrence in this many years has none at all.</summary>
    private const int CycleYears = 400;

    private static readonly CrontabSchedule.ParseOptions SixFields = new() { IncludingSeconds = true };

    private readonly CrontabSchedule _schedule;

    private IntegrationSchedule(string expression, CrontabSchedule schedule)
    {
        Expression = expression;
        _schedule = schedule;
    }

    /// <summary>The expression as it was given, trimmed.</summary>
    public string Expression { get; }

    /// <summary>Parses a six-field expression.</summary>
    /// <exception cref="FormatException">The expression is blank, has other than six fields, has a field NCrontab refuses, or never fires; the message says which.</exception>
    public static IntegrationSchedule Parse(string expression)
    {
        if (!TryParse(expression, out var schedule, out var error))
        {
            throw new FormatException(error);
        }

        return schedule;
    }

    /// <summary>Parses a six-field expression; on failure <paramref name="error"/> says what is wrong (NCrontab's message names the field).</summary>
    public static bool TryParse(string? expression, [NotNullWhen(true)] out IntegrationSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "A schedule cannot be blank: give six NCRONTAB fields '{second} {minute} {hour} {day} {month} {day-of-week}', or no schedule for on-demand only.";
            return false;
        }

        var text = expression.Trim();
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields != 6)
        {
            error = $"'{text}' has {fields} fields; NCRONTAB needs six: '{{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}', for example '0 */5 * * * *'.";
            return false;
        }

        string? parseError = null;
        var parsed = CrontabSchedule.TryParse(text, SixFields, s => (CrontabSchedule?)s, e =>
        {
            parseError = e().Message;
            return null;
        });
        if (parsed is null)
        {
            error = parseError ?? $"'{text}' is not a valid NCRONTAB expression.";
            return false;
        }

        var start = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = start.AddYears(CycleYears + 1);
        if (parsed.GetNextOccurrence(start, end) >= end)
        {
            error = $"'{text}' never fires: no date matches its day, month and day-of-week fields together.";
            return false;
        }

        schedule = new IntegrationSchedule(text, parsed);
        error = null;
        return true;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC; null only past the year 9999.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var from = after.UtcDateTime;
        var end = from > DateTime.MaxValue.AddYears(-CycleYears - 1) ? DateTime.MaxValue : from.AddYears(CycleYears + 1);
        var next = _schedule.GetNextOccurrence(from, end);
        return next >= end ? null : AsUtc(next);
    }

    /// <summary>Every occurrence in (<paramref name="after"/>, <paramref name="until"/>] — both ends as instants — in order, in UTC.</summary>
    public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset after, DateTimeOffset until)
    {
        if (until <= after)
        {
            return [];
        }

        // NCrontab's end is exclusive; one tick more makes an occurrence exactly at 'until' count.
        var end = until.UtcDateTime == DateTime.MaxValue ? DateTime.MaxValue : until.UtcDateTime.AddTicks(1);
        return _schedule.GetNextOccurrences(after.UtcDateTime, end).Select(AsUtc);
    }

    /// <summary>
    /// The next <paramref name="count"/> occurrences strictly after <paramref name="after"/>, in order, in UTC (the
    /// dashboard shows the next five). Fewer only past the year 9999.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public IReadOnlyList<DateTimeOffset> GetNextOccurrences(DateTimeOffset after, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var occurrences = new List<DateTimeOffset>(count);
        var current = after;
        while (occurrences.Count < count && GetNextOccurrence(current) is { } next)
        {
            occurrences.Add(next);
            current = next;
        }

        return occurrences;
    }

    /// <inheritdoc />
    public override string ToString() => Expression;

    private static DateTimeOffset AsUtc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc), TimeSpan.Zero);
}
