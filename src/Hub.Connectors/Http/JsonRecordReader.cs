using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// Streams the elements of the array at a path (e.g. <c>data.items</c>; empty for a root array) out of a JSON
/// response body as they arrive, without holding the body: the buffer only ever grows to fit one element.
/// It also picks up one scalar at another path (a next-page cursor such as <c>meta.next_cursor</c>), wherever
/// it appears in the body.
/// </summary>
public sealed class JsonRecordReader
{
    /// <summary>The default of the largest single element accepted: 16 MiB.</summary>
    public const int DefaultMaxElementBytes = 16 * 1024 * 1024;

    private const int InitialBuffer = 16 * 1024;

    private readonly string[] _records;
    private readonly List<(string Path, string[] Segments)> _scalars = [];
    private readonly Dictionary<string, string?> _scalarValues = new(StringComparer.Ordinal);
    private readonly List<string> _path = [];
    private string? _property;
    private bool _inRecords;

    /// <param name="recordsPath">Dotted path of the records array; empty for a root array.</param>
    /// <param name="scalarPath">Dotted path of a scalar to capture, or <see langword="null"/>.</param>
    /// <param name="maxElementBytes">The largest single element accepted, so a malformed body cannot exhaust memory.</param>
    public JsonRecordReader(string recordsPath, string? scalarPath, int maxElementBytes = DefaultMaxElementBytes)
        : this(recordsPath, scalarPath is null ? [] : [scalarPath], maxElementBytes)
    {
    }

    /// <param name="recordsPath">Dotted path of the records array; empty for a root array.</param>
    /// <param name="scalarPaths">Dotted paths of scalars to capture (a next cursor, <c>has_more</c>, <c>total</c>); blank ones are ignored. The first is <see cref="Scalar"/>.</param>
    /// <param name="maxElementBytes">The largest single element accepted, so a malformed body cannot exhaust memory.</param>
    public JsonRecordReader(string recordsPath, IReadOnlyList<string?> scalarPaths, int maxElementBytes)
    {
        ArgumentNullException.ThrowIfNull(recordsPath);
        ArgumentNullException.ThrowIfNull(scalarPaths);
        _records = ["$", .. recordsPath.Split('.', StringSplitOptions.RemoveEmptyEntries)];
        foreach (var path in scalarPaths)
        {
            if (!string.IsNullOrWhiteSpace(path))
            {
                _scalars.Add((path, ["$", .. path.Split('.', StringSplitOptions.RemoveEmptyEntries)]));
            }
        }

        MaxElementBytes = maxElementBytes;
    }

    public int MaxElementBytes { get; }

    /// <summary>The first captured scalar's text (strings unquoted), once seen.</summary>
    public string? Scalar => _scalars.Count == 0 ? null : ScalarAt(_scalars[0].Path);

    /// <summary>The text of the scalar at <paramref name="path"/> (one of the paths given; strings unquoted, numbers and <c>true</c>/<c>false</c> as written), or <see langword="null"/> when absent or JSON null.</summary>
    public string? ScalarAt(string path) => _scalarValues.GetValueOrDefault(path);

    /// <summary>Whether the records array was found.</summary>
    public bool FoundRecords { get; private set; }

    /// <summary>
    /// The API's own words when the body's root object carries them: the string values of its top-level
    /// <c>error</c>, <c>error_description</c>, <c>message</c>, <c>msg</c>, <c>detail</c> and <c>code</c> members, joined by
    /// <c>" — "</c> (each cut to 200 characters); <see langword="null"/> when there are none. A body such as
    /// <c>{"ok":false,"error":"invalid_auth"}</c> gives <c>invalid_auth</c>.
    /// </summary>
    public string? ErrorText => _errors.Count == 0 ? null : string.Join(" — ", _errors);

    private static readonly HashSet<string> ErrorMembers = new(StringComparer.Ordinal) { "error", "error_description", "message", "msg", "detail", "code" };
    private readonly List<string> _errors = [];

    /// <summary>Reads <paramref name="body"/> and yields batches of at most <paramref name="batchSize"/> records as soon as they are complete.</summary>
    public async IAsyncEnumerable<IReadOnlyList<JsonElement>> ReadAsync(Stream body, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var length = 0;
            var final = false;
            var state = new JsonReaderState();
            var batch = new List<JsonElement>(batchSize);
            while (true)
            {
                if (!final && length < buffer.Length)
                {
                    var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                    final = read == 0;
                    length += read;
                }

                var consumed = Process(buffer.AsSpan(0, length), final, ref state, batch, batchSize);
                if (consumed > 0)
                {
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                    length -= consumed;
                }
                else if (length == buffer.Length)
                {
                    // One element does not fit: grow, up to the limit.
                    if (buffer.Length >= MaxElementBytes)
                    {
                        throw new JsonException($"A record is larger than {MaxElementBytes} bytes.");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                if (batch.Count >= batchSize)
                {
                    yield return batch;
                    batch = new List<JsonElement>(batchSize);
                }

                if (final && consumed == 0)
                {
                    break;
                }
            }

            if (batch.Count > 0)
            {
                yield return batch;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int Process(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, List<JsonElement> batch, int batchSize)
    {
        var reader = new Utf8JsonReader(data, final, state);
        while (batch.Count < batchSize)
        {
            if (_inRecords)
            {
                var probe = reader;
                if (!probe.Read())
                {
                    break;
                }

                if (probe.TokenType == JsonTokenType.EndArray)
                {
                    reader = probe;
                    _inRecords = false;
                    _path.RemoveAt(_path.Count - 1);
                    continue;
                }

                if (!JsonDocument.TryParseValue(ref probe, out var element))
                {
                    break;
                }

                using (element)
                {
                    batch.Add(element.RootElement.Clone());
                }

                reader = probe;
                continue;
            }

            if (!reader.Read())
            {
                break;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    _property = reader.GetString();
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    _path.Add(_path.Count == 0 ? "$" : _property ?? "[]");
                    _property = null;
                    if (reader.TokenType == JsonTokenType.StartArray && _path.SequenceEqual(_records))
                    {
                        _inRecords = true;
                        FoundRecords = true;
                    }

                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    _path.RemoveAt(_path.Count - 1);
                    break;
                default:
                    if (_path.Count == 1 && _property is not null && reader.TokenType == JsonTokenType.String && ErrorMembers.Contains(_property) && _errors.Count < ErrorMembers.Count
                        && reader.GetString() is { Length: > 0 } words)
                    {
                        _errors.Add(words.Length > 200 ? words[..200] + "…" : words);
                    }

                    foreach (var (scalarPath, scalar) in _scalars)
                    {
                        if (_property is null || _path.Count != scalar.Length - 1 || scalar[^1] != _property || !_path.SequenceEqual(scalar.Take(_path.Count)))
                        {
                            continue;
                        }

                        _scalarValues[scalarPath] = reader.TokenType switch
                        {
                            JsonTokenType.String => reader.GetString(),
                            JsonTokenType.Null => null,
                            _ => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                        };
                    }

                    _property = null;
                    break;
            }
        }

        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    /// <summary>The value at a dotted <paramref name="path"/> inside <paramref name="element"/>, or <see langword="null"/>.</summary>
    public static JsonElement? Select(JsonElement element, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }

        return element;
    }
}
