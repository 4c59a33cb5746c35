using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IntegrationHub.Core.Transforms;

/// <summary>
/// The paths of mappings: the singular queries of JSONPath (RFC 9535 §2.3.1 name selectors, §2.3.3 index
/// selectors, §2.5 segments), e.g. <c>$.fields.assignee.displayName</c>, <c>$['name with spaces']</c>,
/// <c>$["a\u00e9"]</c>, <c>$.labels[0].name</c> or <c>$.items[-1]</c>. Each selects at most one value.
/// Parsed once when a mapping is saved; evaluated per record without allocating.
/// </summary>
/// <remarks>
/// <para>Syntax follows RFC 9535's ABNF exactly for what is supported: member-name shorthands
/// (<c>name-first *name-char</c>: letters, '_', non-ASCII, then digits too), single- or double-quoted
/// string literals with the RFC's escapes (<c>\b \f \n \r \t \/ \\ \' \" \uXXXX</c>, surrogate pairs as two
/// escapes), integer indices without leading zeros or <c>-0</c> within ±(2^53−1), and blank space
/// (space, tab, LF, CR) between segments and inside brackets, but not at either end.</para>
/// <para>Refused when saved, with a message: every query RFC 9535 calls invalid, and the valid ones that
/// can select several values, which a mapping field cannot hold — wildcards (<c>*</c>), descendant
/// segments (<c>..</c>), slices (<c>1:3</c>), filters (<c>?</c>) and several selectors in one bracket
/// (<c>['a','b']</c>); <see cref="TryParse(string, out JsonPath?, out string?, out bool)"/> tells the two apart.
/// Checked against the JSONPath Compliance Test Suite (tests/Hub.Core.Tests/Transforms).</para>
/// <para>Evaluation (RFC 9535 §2.3.1.2, §2.3.3.2): a name selects an object member; an index selects an
/// array element, negative ones counting from the end; anything else selects nothing, which a mapping
/// treats as a missing value.</para>
/// </remarks>
public sealed class JsonPath
{
    /// <summary>The longest path accepted, in characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>The most segments a path may have.</summary>
    public const int MaxSegments = 64;

    // RFC 9535 §2.1: I-JSON's exact integer range, ±(2^53−1).
    private const long MaxIndex = (1L << 53) - 1;

    private readonly object[] _segments;

    private JsonPath(string text, object[] segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>The path as written.</summary>
    public string Text { get; }

    /// <summary>Parses a path; the error says what is wrong.</summary>
    public static bool TryParse(string text, out JsonPath? path, out string? error) => TryParse(text, out path, out error, out _);

    /// <summary>Parses a path; <paramref name="unsupported"/> says the path is valid RFC 9535 but may select several values (a wildcard, a descendant segment, a slice, a filter or a selector list), which mappings do not take.</summary>
    public static bool TryParse(string text, out JsonPath? path, out string? error, out bool unsupported)
    {
        path = null;
        unsupported = false;
        var parser = new Parser(text ?? string.Empty);
        var segments = parser.Parse();
        if (segments is null)
        {
            error = parser.Error;
            unsupported = parser.Unsupported;
            return false;
        }

        path = new JsonPath(text!, segments);
        error = null;
        return true;
    }

    /// <summary>The value at the path, or false when the path selects nothing.</summary>
    public bool TryEvaluate(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var segment in _segments)
        {
            switch (segment)
            {
                case string name when value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var child):
                    value = child;
                    break;
                case long index when value.ValueKind == JsonValueKind.Array:
                    var length = value.GetArrayLength();
                    var at = index < 0 ? index + length : index;
                    if (at < 0 || at >= length)
                    {
                        value = default;
                        return false;
                    }

                    value = value[(int)at];
                    break;
                default:
                    value = default;
                    return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private sealed class Parser(string text)
    {
        private int _i;

        public string? Error { get; private set; }

        public bool Unsupported { get; private set; }

        public object[]? Parse()
        {
            if (text.Length > MaxLength)
            {
                return Fail($"is longer than {MaxLength} characters.");
            }

            if (text.Length == 0 || text[0] != '$')
            {
                return Fail("must start with '$' (the record).");
            }

            _i = 1;
            var segments = new List<object>();
            while (true)
            {
                var before = _i;
                SkipBlank();
                if (_i == text.Length)
                {
                    if (_i != before)
                    {
                        return Fail("ends with blank space.");
                    }

                    break;
                }

                if (segments.Count == MaxSegments)
                {
                    return Fail($"has more than {MaxSegments} segments.");
                }

                object? segment = text[_i] switch
                {
                    '.' => DotSegment(),
                    '[' => BracketSegment(),
                    _ => Fail<object>($"has an unexpected '{text[_i]}' at position {_i}: a segment starts with '.' or '['."),
                };
                if (segment is null)
                {
                    return null;
                }

                segments.Add(segment);
            }

            return [.. segments];
        }

        private object? DotSegment()
        {
            _i++;
            if (_i < text.Length && text[_i] == '.')
            {
                return Unsupport<object>($"has a descendant segment '..' at position {_i - 1}, which can select several values; a mapping path selects one.");
            }

            if (_i < text.Length && text[_i] == '*')
            {
                return Unsupport<object>($"has a wildcard at position {_i}, which can select several values; a mapping path selects one.");
            }

            var start = _i;
            while (_i < text.Length)
            {
                if (Rune.DecodeFromUtf16(text.AsSpan(_i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
                {
                    return Fail<object>($"has an invalid character at position {_i}.");
                }

                var ok = _i == start ? IsNameFirst(rune) : IsNameFirst(rune) || (rune.Value is >= '0' and <= '9');
                if (!ok)
                {
                    break;
                }

                _i += consumed;
            }

            return _i == start
                ? Fail<object>($"has no name after '.' at position {start - 1}: a name starts with a letter, '_' or a non-ASCII character (use ['...'] for any other name).")
                : text[start.._i];
        }

        private object? BracketSegment()
        {
            var open = _i;
            _i++;
            SkipBlank();
            if (_i >= text.Length)
            {
                return Fail<object>($"has an unclosed '[' at position {open}.");
            }

            object? selector;
            var c = text[_i];
            if (c is '\'' or '"')
            {
                selector = StringLiteral();
            }
            else if (c == '-' || c is >= '0' and <= '9')
            {
                selector = Index();
            }
            else if (c is '*' or '?' or ':')
            {
                return Unsupport<object>($"has a {(c == '*' ? "wildcard" : c == '?' ? "filter" : "slice")} at position {_i}, which can select several values; a mapping path selects one.");
            }
            else
            {
                return Fail<object>($"has '{c}' at position {_i}: a bracket holds a quoted name or an integer index.");
            }

            if (selector is null)
            {
                return null;
            }

            SkipBlank();
            if (_i < text.Length && text[_i] == ',')
            {
                return Unsupport<object>($"has several selectors in one bracket at position {_i}, which select several values; a mapping path selects one.");
            }

            if (_i < text.Length && text[_i] == ':' && selector is long)
            {
                return Unsupport<object>($"has a slice at position {_i}, which can select several values; a mapping path selects one.");
            }

            if (_i >= text.Length || text[_i] != ']')
            {
                return Fail<object>(_i >= text.Length ? $"has an unclosed '[' at position {open}." : $"has '{text[_i]}' at position {_i} where ']' was expected.");
            }

            _i++;
            return selector;
        }

        private object? Index()
        {
            var start = _i;
            if (text[_i] == '-')
            {
                _i++;
            }

            var digits = _i;
            while (_i < text.Length && text[_i] is >= '0' and <= '9')
            {
                _i++;
            }

            var number = text[digits.._i];
            if (number.Length == 0 || (number[0] == '0' && (number.Length > 1 || digits != start)))
            {
                return Fail<object>($"has the index '{text[start.._i]}' at position {start}: an index is 0 or a whole number without leading zeros (and not -0).");
            }

            if (number.Length > 16 || !long.TryParse(text.AsSpan(start, _i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index) || Math.Abs(index) > MaxIndex)
            {
                return Fail<object>($"has the index '{text[start.._i]}' at position {start}, outside ±(2^53−1).");
            }

            return index;
        }

        private string? StringLiteral()
        {
            var quote = text[_i];
            var start = _i;
            _i++;
            var value = new StringBuilder();
            while (true)
            {
                if (_i >= text.Length)
                {
                    return Fail<string>($"has an unclosed string at position {start}.");
                }

                var c = text[_i];
                if (c == quote)
                {
                    _i++;
                    return value.ToString();
                }

                if (c == '\\')
                {
                    if (!Escape(quote, value))
                    {
                        return null;
                    }

                    continue;
                }

                if (c < 0x20)
                {
                    return Fail<string>($"has a control character at position {_i} in a string: escape it (\\n, \\t, \\u000B...).");
                }

                if (char.IsSurrogate(c))
                {
                    if (!char.IsHighSurrogate(c) || _i + 1 >= text.Length || !char.IsLowSurrogate(text[_i + 1]))
                    {
                        return Fail<string>($"has an unpaired surrogate at position {_i}.");
                    }

                    value.Append(c).Append(text[_i + 1]);
                    _i += 2;
                    continue;
                }

                value.Append(c);
                _i++;
            }
        }

        private bool Escape(char quote, StringBuilder value)
        {
            var at = _i;
            if (_i + 1 >= text.Length)
            {
                Fail<object>($"has an unfinished escape at position {at}.");
                return false;
            }

            var e = text[_i + 1];
            _i += 2;
            switch (e)
            {
                case 'b': value.Append('\b'); return true;
                case 'f': value.Append('\f'); return true;
                case 'n': value.Append('\n'); return true;
                case 'r': value.Append('\r'); return true;
                case 't': value.Append('\t'); return true;
                case '/': value.Append('/'); return true;
                case '\\': value.Append('\\'); return true;
                case '\'' when quote == '\'': value.Append('\''); return true;
                case '"' when quote == '"': value.Append('"'); return true;
                case 'u':
                    if (Hex4() is not { } unit)
                    {
                        Fail<object>($"has an invalid \\u escape at position {at}: four hexadecimal digits are needed.");
                        return false;
                    }

                    if (char.IsLowSurrogate((char)unit))
                    {
                        Fail<object>($"has a low surrogate \\u escape at position {at} without a high one before it.");
                        return false;
                    }

                    if (char.IsHighSurrogate((char)unit))
                    {
                        if (_i + 1 >= text.Length || text[_i] != '\\' || text[_i + 1] != 'u')
                        {
                            Fail<object>($"has a high surrogate \\u escape at position {at} without a low one after it.");
                            return false;
                        }

                        _i += 2;
                        if (Hex4() is not { } low || !char.IsLowSurrogate((char)low))
                        {
                            Fail<object>($"has a high surrogate \\u escape at position {at} without a low one after it.");
                            return false;
                        }

                        value.Append((char)unit).Append((char)low);
                        return true;
                    }

                    value.Append((char)unit);
                    return true;
                default:
                    Fail<object>($"has the escape '\\{e}' at position {at}, which JSONPath does not define.");
                    return false;
            }
        }

        private int? Hex4()
        {
            if (_i + 4 > text.Length || !int.TryParse(text.AsSpan(_i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit))
            {
                return null;
            }

            _i += 4;
            return unit;
        }

        private void SkipBlank()
        {
            while (_i < text.Length && text[_i] is ' ' or '\t' or '\n' or '\r')
            {
                _i++;
            }
        }

        // RFC 9535 §2.5.1.1: name-first = ALPHA / "_" / %x80-D7FF / %xE000-10FFFF.
        private static bool IsNameFirst(Rune rune) =>
            rune.Value is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '_' or (>= 0x80 and <= 0xD7FF) or (>= 0xE000 and <= 0x10FFFF);

        private object[]? Fail(string message)
        {
            Error = $"'{Shorten(text)}' {message}";
            return null;
        }

        private T? Fail<T>(string message)
            where T : class
        {
            Fail(message);
            return null;
        }

        private T? Unsupport<T>(string message)
            where T : class
        {
            Unsupported = true;
            Fail(message);
            return null;
        }

        private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";
    }
}
