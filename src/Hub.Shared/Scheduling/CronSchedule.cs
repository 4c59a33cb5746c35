using System.Globalization;

namespace IntegrationHub.Shared.Scheduling;

/// <summary>
/// A six-field NCRONTAB expression as Azure Functions timer triggers use it:
/// <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>.
/// </summary>
/// <remarks>
/// No NCRONTAB library restores on this project's machines, and integration schedules must mean exactly
/// what the Functions host would make of the same text, so the hub carries its own parser. Each field
/// takes <c>*</c>, a value, a range <c>a-b</c>, a step <c>*/n</c>, <c>a/n</c> or <c>a-b/n</c>, and
/// comma-separated lists of those. Months take <c>JAN</c>..<c>DEC</c>, days of week <c>SUN</c>..<c>SAT</c>
/// (0 and 7 are both Sunday). As in NCrontab, a day must match both the day-of-month and the
/// day-of-week fields. Times are evaluated in UTC unless a time zone is given.
/// </remarks>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    // The search gives up after this many years with no match (e.g. "0 0 0 30 2 *" never fires).
    private const int MaxYearsAhead = 5;

    private readonly ulong _seconds;
    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _days;
    private readonly ulong _months;
    private readonly ulong _daysOfWeek;

    private CronSchedule(string expression, ulong seconds, ulong minutes, ulong hours, ulong days, ulong months, ulong daysOfWeek)
    {
        Expression = expression;
        _seconds = seconds;
        _minutes = minutes;
        _hours = hours;
        _days = days;
        _months = months;
        _daysOfWeek = daysOfWeek;
    }

    /// <summary>The expression as it was given.</summary>
    public string Expression { get; }

    /// <summary>Parses an expression, throwing <see cref="FormatException"/> that names the offending field.</summary>
    public static CronSchedule Parse(string expression)
    {
        if (!TryParse(expression, out var schedule, out var error))
        {
            throw new FormatException(error);
        }

        return schedule;
    }

    /// <summary>Parses an expression; on failure <paramref name="error"/> says which field is wrong and why.</summary>
    public static bool TryParse(string? expression, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CronSchedule? schedule, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "A schedule is required: six NCRONTAB fields '{second} {minute} {hour} {day} {month} {day-of-week}'.";
            return false;
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length != 6)
        {
            error = $"'{expression}' has {fields.Length} fields; NCRONTAB needs six: '{{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}', for example '0 */5 * * * *'.";
            return false;
        }

        var specs = new (string Name, int Min, int Max, string[]? Names)[]
        {
            ("second", 0, 59, null),
            ("minute", 0, 59, null),
            ("hour", 0, 23, null),
            ("day", 1, 31, null),
            ("month", 1, 12, MonthNames),
            ("day-of-week", 0, 7, DayNames),
        };

        var masks = new ulong[6];
        for (var i = 0; i < 6; i++)
        {
            var (name, min, max, names) = specs[i];
            if (!TryParseField(fields[i], min, max, names, i == 4 ? 1 : 0, out masks[i], out var fieldError))
            {
                error = $"The {name} field '{fields[i]}' of '{expression}' is invalid: {fieldError}";
                return false;
            }
        }

        // Day-of-week 7 is Sunday, like 0.
        if ((masks[5] & (1UL << 7)) != 0)
        {
            masks[5] = (masks[5] & ~(1UL << 7)) | 1UL;
        }

        schedule = new CronSchedule(expression, masks[0], masks[1], masks[2], masks[3], masks[4], masks[5]);
        error = null;
        return true;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none within five years.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after, TimeZoneInfo? timeZone = null)
    {
        timeZone ??= TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(after, timeZone).DateTime;
        var next = FindNext(local);
        if (next is null)
        {
            return null;
        }

        var offset = timeZone.GetUtcOffset(next.Value);
        return new DateTimeOffset(next.Value, offset);
    }

    /// <summary>Every occurrence in (<paramref name="after"/>, <paramref name="until"/>], in order.</summary>
    public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset after, DateTimeOffset until, TimeZoneInfo? timeZone = null)
    {
        var current = after;
        while (GetNextOccurrence(current, timeZone) is { } next && next <= until)
        {
            yield return next;
            current = next;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Expression;

    private DateTime? FindNext(DateTime after)
    {
        var t = new DateTime(after.Year, after.Month, after.Day, after.Hour, after.Minute, after.Second, DateTimeKind.Unspecified).AddSeconds(1);
        var limit = t.AddYears(MaxYearsAhead);
        while (t <= limit)
        {
            if (!Has(_months, t.Month))
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                continue;
            }

            if (!Has(_days, t.Day) || !Has(_daysOfWeek, (int)t.DayOfWeek))
            {
                t = t.Date.AddDays(1);
                continue;
            }

            if (!Has(_hours, t.Hour))
            {
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Unspecified).AddHours(1);
                continue;
            }

            if (!Has(_minutes, t.Minute))
            {
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
                continue;
            }

            if (!Has(_seconds, t.Second))
            {
                t = t.AddSeconds(1);
                continue;
            }

            return t;
        }

        return null;
    }

    private static bool Has(ulong mask, int value) => (mask & (1UL << value)) != 0;

    private static bool TryParseField(string field, int min, int max, string[]? names, int nameBase, out ulong mask, out string? error)
    {
        mask = 0;
        foreach (var part in field.Split(','))
        {
            if (part.Length == 0)
            {
                error = "an empty list item.";
                return false;
            }

            var range = part;
            var step = 1;
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                range = part[..slash];
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step <= 0)
                {
                    error = $"'{part}' has a step that is not a positive whole number.";
                    return false;
                }
            }

            int low, high;
            if (range == "*")
            {
                (low, high) = (min, max);
            }
            else
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                var lowText = dash >= 0 ? range[..dash] : range;
                if (!TryParseValue(lowText, min, max, names, nameBase, out low, out error))
                {
                    return false;
                }

                if (dash >= 0)
                {
                    if (!TryParseValue(range[(dash + 1)..], min, max, names, nameBase, out high, out error))
                    {
                        return false;
                    }

                    if (high < low)
                    {
                        error = $"the range '{range}' runs backwards.";
                        return false;
                    }
                }
                else
                {
                    // "a/n" means from a to the field's maximum in steps of n.
                    high = slash >= 0 ? max : low;
                }
            }

            for (var v = low; v <= high; v += step)
            {
                mask |= 1UL << v;
            }
        }

        error = null;
        return true;
    }

    private static bool TryParseValue(string text, int min, int max, string[]? names, int nameBase, out int value, out string? error)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            if (value < min || value > max)
            {
                error = $"{value} is outside {min}-{max}.";
                return false;
            }

            error = null;
            return true;
        }

        if (names is not null)
        {
            var index = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                value = index + nameBase;
                error = null;
                return true;
            }
        }

        error = names is null
            ? $"'{text}' is not a number."
            : $"'{text}' is neither a number nor one of {string.Join(", ", names)}.";
        return false;
    }
}
