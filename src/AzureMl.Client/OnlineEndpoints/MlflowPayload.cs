using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using AzureMl.Client.Internal;

namespace AzureMl.Client.OnlineEndpoints;

/// <summary>
/// The MLflow online scoring contract: a table goes out as <c>{"input_data": {"columns", "index", "data"}}</c> (pandas
/// split orientation, <c>index</c> always sent so signature-less models build a DataFrame) with optional
/// <c>params</c>; an answer in any of the forms a deployment returns comes back as a <see cref="ScoringOutput"/>.
/// </summary>
internal static class MlflowPayload
{
    public const string OutputName = "output1";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    public static HttpContent Write(ScoringTable table, IEnumerable<KeyValuePair<string, object?>>? parameters) => new TableContent(table, parameters);

    /// <summary>A JSON body sent with its length (replayable for a retry or a key failover).</summary>
    public static HttpContent Json(ReadOnlyMemory<byte> body)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = JsonContentType;
        return content;
    }

    /// <summary>
    /// Reads an answer: a bare array is one column named <paramref name="singleColumnName"/>; an array of arrays,
    /// positional columns (<c>0</c>, <c>1</c>, …); an array of objects, columns by key (in order of first appearance);
    /// an object of arrays, one column per member. A JSON string holding JSON (a script that returned
    /// <c>json.dumps(…)</c>) is read as what it holds.
    /// </summary>
    /// <exception cref="FormatException">The answer is none of these forms; the message says what it is.</exception>
    public static ScoringOutput Read(ReadOnlyMemory<byte> body, string singleColumnName) => Read(body.Span, singleColumnName, null, out _, scanRecords: true);

    /// <summary>
    /// <see cref="Read(ReadOnlyMemory{byte}, string)"/>, reusing the column names of an earlier answer
    /// (<paramref name="known"/>) where they are the same, so answers of one deployment share one set of names.
    /// </summary>
    /// <param name="body">The answer.</param>
    /// <param name="singleColumnName">The name of a bare array's one column.</param>
    /// <param name="known">The columns of an earlier answer, or <see langword="null"/>.</param>
    /// <param name="seen">This answer's columns (<paramref name="known"/> itself when they are the same).</param>
    /// <param name="scanRecords">Whether records of known columns may be read by the plain-value scan; off only to measure and test it against the reader.</param>
    public static ScoringOutput Read(ReadOnlyMemory<byte> body, string singleColumnName, AnswerColumns? known, out AnswerColumns? seen, bool scanRecords = true) =>
        Read(body.Span, singleColumnName, known, out seen, scanRecords);

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>The names of positional columns (<c>0</c>, <c>1</c>, …), made once.</summary>
    private static readonly string[] Positions = [.. Enumerable.Range(0, 64).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private static ScoringOutput Read(ReadOnlySpan<byte> json, string singleColumnName, AnswerColumns? known, out AnswerColumns? seen, bool scanRecords)
    {
        seen = known;
        // An answer shaped as the client's last one (the same columns) is read in one pass; any other in two passes of
        // one reader: the first finds the shape (columns, rows), the second copies each cell's text once, into the
        // output's own buffers. No element tree, no string per cell.
        var reader = new Utf8JsonReader(json, ReaderOptions);
        Next(ref reader);
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var inner = reader.GetString()!;
                End(ref reader);
                var trimmed = inner.TrimStart();
                if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
                {
                    return Read(Encoding.UTF8.GetBytes(inner), singleColumnName, known, out seen, scanRecords);
                }

                throw new FormatException("the answer is a JSON string, not an array of predictions or an object of columns");
            case JsonTokenType.StartArray when known is not null && ReadAsKnown(json, singleColumnName, known, scanRecords) is { } output:
                return output;
            case JsonTokenType.StartArray:
            case JsonTokenType.StartObject:
                var shape = Shape.Of(json, singleColumnName, known);
                using (var cells = new Cells(json.Length, shape.Rows * shape.Names.Count))
                {
                    shape.Fill(json, cells);
                    seen = shape.Columns();
                    return cells.Build(seen.Names, shape.Rows);
                }

            default:
                throw new FormatException($"the answer is a JSON {Describe(reader.TokenType)}, not an array of predictions or an object of columns");
        }
    }

    /// <summary>
    /// Reads an answer shaped as the last one in one pass: plain records by the fast grammar, anything else by the
    /// reader. <see langword="null"/> when it is shaped otherwise or is broken: the two passes then read it, so a broken
    /// answer is reported in the same words whether or not the client has seen the deployment's columns.
    /// </summary>
    private static ScoringOutput? ReadAsKnown(ReadOnlySpan<byte> json, string singleColumnName, AnswerColumns known, bool scanRecords)
    {
        try
        {
            return (scanRecords ? TryScanRecords(json, known) : null) ?? TryReadKnown(json, singleColumnName, known);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads an answer of records whose members are exactly the columns of <paramref name="known"/>, in their order, as
    /// plain values (<see cref="PlainJson"/>), in one pass over the bytes; <see langword="null"/> for anything else (an
    /// escape, a nested value, a missing, new or reordered member, invalid UTF-8 or JSON), which the reader then reads
    /// or reports. This is the shape of a deployment's answers once the first is known, and its commonest cost.
    /// </summary>
    /// <remarks>Held to the reader's results by MlflowAnswerEquivalenceTests.</remarks>
    private static ScoringOutput? TryScanRecords(ReadOnlySpan<byte> json, AnswerColumns known)
    {
        var names = known.Utf8;
        var width = names.Length;
        if (width == 0 || !known.Plain || !System.Text.Unicode.Utf8.IsValid(json))
        {
            return null;
        }

        var i = PlainJson.SkipSpace(json, 0);
        if (i >= json.Length || json[i] != (byte)'[')
        {
            return null;
        }

        i = PlainJson.SkipSpace(json, i + 1);
        if (i >= json.Length || json[i] != (byte)'{')
        {
            return null;
        }

        // Cells arrive in row-major order, so they go straight into one buffer.
        using var cells = new CellBuffer(json.Length);
        var rows = 0;
        while (true)
        {
            // At a record's opening brace.
            i = PlainJson.SkipSpace(json, i + 1);
            for (var c = 0; c < width; c++)
            {
                var name = names[c];
                if (json.Length - i < name.Length + 2 || json[i] != (byte)'"' || json[i + 1 + name.Length] != (byte)'"'
                    || !json.Slice(i + 1, name.Length).SequenceEqual(name))
                {
                    return null;
                }

                i = PlainJson.SkipSpace(json, i + name.Length + 2);
                if (i >= json.Length || json[i] != (byte)':')
                {
                    return null;
                }

                i = PlainJson.SkipSpace(json, i + 1);
                if (i >= json.Length)
                {
                    return null;
                }

                int after;
                if (json[i] == (byte)'"')
                {
                    after = PlainJson.ScanString(json, i);
                    if (after < 0)
                    {
                        return null;
                    }

                    cells.AddRaw(json[(i + 1)..(after - 1)]);
                }
                else
                {
                    after = PlainJson.ScanOther(json, i, out var kind);
                    if (after < 0)
                    {
                        return null;
                    }

                    switch (kind)
                    {
                        case PlainJson.Kind.Number:
                            cells.AddRaw(json[i..after]);
                            break;
                        case PlainJson.Kind.True:
                            cells.AddRaw("True"u8);
                            break;
                        case PlainJson.Kind.False:
                            cells.AddRaw("False"u8);
                            break;
                        default:
                            cells.AddNull();
                            break;
                    }
                }

                i = PlainJson.SkipSpace(json, after);
                if (i >= json.Length || json[i] != (c < width - 1 ? (byte)',' : (byte)'}'))
                {
                    return null;
                }

                i = PlainJson.SkipSpace(json, i + 1);
            }

            rows++;
            if (i >= json.Length)
            {
                return null;
            }

            if (json[i] == (byte)']')
            {
                break;
            }

            if (json[i] != (byte)',')
            {
                return null;
            }

            i = PlainJson.SkipSpace(json, i + 1);
            if (i >= json.Length || json[i] != (byte)'{')
            {
                return null;
            }
        }

        if (PlainJson.SkipSpace(json, i + 1) != json.Length)
        {
            return null;
        }

        var (data, ends) = cells.ToArrays();
        return new ScoringOutput(OutputName, null, known.Names, null, width, rows, data, ends);
    }

    /// <summary>
    /// Reads an array answer in one pass, assuming the columns of <paramref name="known"/>; <see langword="null"/> when
    /// the answer is shaped otherwise (a new column, a longer row, another form), to be read in two passes.
    /// </summary>
    private static ScoringOutput? TryReadKnown(ReadOnlySpan<byte> json, string singleColumnName, AnswerColumns known)
    {
        var names = known.Names;
        var width = names.Length;
        if (width > 64)
        {
            return null;
        }

        // Every known column must turn up in this answer too, or its columns differ: then the two passes find them.
        var seenColumns = 0UL;
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        Next(ref reader);
        var records = reader.TokenType == JsonTokenType.StartObject;
        var positional = reader.TokenType == JsonTokenType.StartArray;
        if (positional)
        {
            for (var c = 0; c < width; c++)
            {
                if (c >= Positions.Length || !ReferenceEquals(names[c], Positions[c]))
                {
                    return null;
                }
            }
        }
        else if (!records && (width != 1 || names[0] != singleColumnName))
        {
            return null;
        }

        using var cells = new Cells(json.Length, Math.Max(width * 64, 16));
        var rows = 0;
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            cells.EnsureCount((rows + 1) * width);
            var row = rows * width;
            if (records)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                var expected = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var c = expected < width && reader.ValueTextEquals(known.Utf8[expected]) ? expected : Find(known, ref reader);
                    if (c < 0)
                    {
                        return null;
                    }

                    // Columns are in order of first appearance: a known column first seen out of that order is a reorder.
                    if ((seenColumns & (1UL << c)) == 0 && c != System.Numerics.BitOperations.PopCount(seenColumns))
                    {
                        return null;
                    }

                    reader.Read();
                    cells.Add(row + c, ref reader, json);
                    seenColumns |= 1UL << c;
                    expected = c + 1;
                }
            }
            else if (positional)
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return null;
                }

                var c = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (c >= width)
                    {
                        return null;
                    }

                    seenColumns |= 1UL << c;
                    cells.Add(row + c++, ref reader, json);
                }
            }
            else
            {
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    return null;
                }

                cells.Add(row, ref reader, json);
                seenColumns = 1;
            }

            rows++;
            Next(ref reader);
        }

        End(ref reader);
        if (rows == 0 || seenColumns != (width == 64 ? ulong.MaxValue : (1UL << width) - 1))
        {
            return null;
        }

        return cells.Build(names, rows, rows * width);
    }

    private static int Find(AnswerColumns known, ref Utf8JsonReader reader)
    {
        for (var c = 0; c < known.Utf8.Length; c++)
        {
            if (reader.ValueTextEquals(known.Utf8[c]))
            {
                return c;
            }
        }

        return -1;
    }

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new FormatException("the answer is empty");
        }
    }

    /// <summary>Reads past the end of the root value: anything after it is invalid JSON.</summary>
    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new FormatException("the answer holds more than one JSON value");
        }
    }

    /// <summary>The answer's form, columns and row count (the first pass).</summary>
    private sealed class Shape
    {
        private readonly List<byte[]> _utf8Names = [];
        private readonly AnswerColumns? _known;
        private bool _allKnown = true;

        private Shape(Form form, string? singleColumnName, AnswerColumns? known)
        {
            FormOf = form;
            _known = known;
            if (singleColumnName is not null)
            {
                Add(singleColumnName);
            }
        }

        private enum Form
        {
            Single,
            Rows,
            Records,
            Columns,
        }

        public List<string> Names { get; } = [];

        public int Rows { get; private set; }

        private Form FormOf { get; }

        public static Shape Of(ReadOnlySpan<byte> json, string singleColumnName, AnswerColumns? known)
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            Next(ref reader);
            return reader.TokenType == JsonTokenType.StartObject ? OfColumns(ref reader, known) : OfArray(ref reader, singleColumnName, known);
        }

        /// <summary>The answer's column names: the known set when every name matched it, else a new one.</summary>
        public AnswerColumns Columns() =>
            _allKnown && _known is not null && _known.Names.Length == Names.Count ? _known : new AnswerColumns([.. Names], [.. _utf8Names]);

        private static Shape OfArray(ref Utf8JsonReader reader, string singleColumnName, AnswerColumns? known)
        {
            Next(ref reader);
            var first = reader.TokenType;
            var shape = first switch
            {
                JsonTokenType.StartObject => new Shape(Form.Records, null, known),
                JsonTokenType.StartArray => new Shape(Form.Rows, null, known),
                _ => new Shape(Form.Single, singleColumnName, known),
            };

            var width = 0;
            while (reader.TokenType != JsonTokenType.EndArray)
            {
                switch (shape.FormOf)
                {
                    case Form.Records:
                        Expect(ref reader, JsonTokenType.StartObject, "the answer mixes row objects with a JSON");
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            if (shape.Find(ref reader, shape.Names.Count) < 0)
                            {
                                shape.AddName(ref reader);
                            }

                            reader.Read();
                            reader.Skip();
                        }

                        break;
                    case Form.Rows:
                        Expect(ref reader, JsonTokenType.StartArray, "the answer mixes rows (arrays) with a JSON");
                        var count = 0;
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            reader.Skip();
                            count++;
                        }

                        width = Math.Max(width, count);
                        break;
                    default:
                        if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                        {
                            throw new FormatException($"the answer mixes single predictions with a JSON {Describe(reader.TokenType)}");
                        }

                        break;
                }

                shape.Rows++;
                Next(ref reader);
            }

            End(ref reader);
            if (shape.FormOf == Form.Rows)
            {
                for (var c = 0; c < width; c++)
                {
                    shape.Add(c < Positions.Length ? Positions[c] : c.ToString(CultureInfo.InvariantCulture));
                }
            }

            return shape;
        }

        private static Shape OfColumns(ref Utf8JsonReader reader, AnswerColumns? known)
        {
            var shape = new Shape(Form.Columns, null, known);
            var rows = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var at = shape.Names.Count;
                shape.AddName(ref reader);
                var name = shape.Names[at];
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new FormatException($"the answer is an object whose member \"{Truncate(name)}\" is a JSON {Describe(reader.TokenType)}, not a column (an array)");
                }

                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    reader.Skip();
                    count++;
                }

                if (rows >= 0 && count != rows)
                {
                    throw new FormatException($"the answer's columns differ in length ({rows} and {count} values)");
                }

                rows = count;
            }

            End(ref reader);
            if (shape.Names.Count == 0)
            {
                throw new FormatException("the answer is an empty JSON object");
            }

            shape.Rows = rows;
            return shape;
        }

        /// <summary>Copies every cell into <paramref name="cells"/> at its row-major place (the second pass).</summary>
        public void Fill(ReadOnlySpan<byte> json, Cells cells)
        {
            var width = Names.Count;
            var reader = new Utf8JsonReader(json, ReaderOptions);
            reader.Read();
            if (FormOf == Form.Columns)
            {
                var column = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    reader.Read();
                    var row = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        cells.Add((row++ * width) + column, ref reader, json);
                    }

                    column++;
                }

                return;
            }

            var r = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                switch (FormOf)
                {
                    case Form.Records:
                        var expected = 0;
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var c = Find(ref reader, expected);
                            reader.Read();
                            cells.Add((r * width) + c, ref reader, json);
                            expected = c + 1;
                        }

                        break;
                    case Form.Rows:
                        var i = 0;
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            cells.Add((r * width) + i++, ref reader, json);
                        }

                        break;
                    default:
                        cells.Add(r, ref reader, json);
                        break;
                }

                r++;
            }
        }

        private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string mixes)
        {
            if (reader.TokenType != type)
            {
                throw new FormatException($"{mixes} {Describe(reader.TokenType)}");
            }
        }

        /// <summary>The column of the property name the reader is on: tried at <paramref name="expected"/> first (rows keep their order), else searched; -1 when new.</summary>
        private int Find(ref Utf8JsonReader reader, int expected)
        {
            if (expected < _utf8Names.Count && reader.ValueTextEquals(_utf8Names[expected]))
            {
                return expected;
            }

            for (var c = 0; c < _utf8Names.Count; c++)
            {
                if (reader.ValueTextEquals(_utf8Names[c]))
                {
                    return c;
                }
            }

            return -1;
        }

        /// <summary>Adds the property name the reader is on: the known one at this place when it matches, else read anew.</summary>
        private void AddName(ref Utf8JsonReader reader)
        {
            var at = Names.Count;
            if (_known is { } known && at < known.Names.Length && reader.ValueTextEquals(known.Utf8[at]))
            {
                Names.Add(known.Names[at]);
                _utf8Names.Add(known.Utf8[at]);
                return;
            }

            _allKnown = false;
            var name = reader.GetString()!;
            Names.Add(name);
            _utf8Names.Add(Encoding.UTF8.GetBytes(name));
        }

        /// <summary>Adds a name the answer does not spell (a position, the single column's name).</summary>
        private void Add(string name)
        {
            var at = Names.Count;
            if (_known is { } known && at < known.Names.Length && known.Names[at] == name)
            {
                Names.Add(known.Names[at]);
                _utf8Names.Add(known.Utf8[at]);
                return;
            }

            _allKnown = false;
            Names.Add(name);
            _utf8Names.Add(Encoding.UTF8.GetBytes(name));
        }
    }

    /// <summary>
    /// Cells copied as text into a scratch buffer in the order they are read, then laid out row-major in the
    /// output's own arrays: strings unescaped, numbers as written, booleans as <c>True</c>/<c>False</c>, nested values
    /// as their JSON text, absent cells (a record without the column) as null.
    /// </summary>
    private sealed class Cells : IDisposable
    {
        private int _count;
        private byte[] _scratch;
        private int _length;
        private int[] _starts;
        private int[] _lengths;

        public Cells(int bodyLength, int count)
        {
            _count = count;

            // Cell text is never longer than its JSON form, so the body length bounds the scratch.
            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(bodyLength, 16));
            _starts = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
            _lengths = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
            _lengths.AsSpan(0, count).Fill(-1);
        }

        /// <summary>Makes room for <paramref name="count"/> cells (absent ones null) when the row count is found while reading.</summary>
        public void EnsureCount(int count)
        {
            if (count > _lengths.Length)
            {
                var size = Math.Max(count, _lengths.Length * 2);
                var starts = ArrayPool<int>.Shared.Rent(size);
                var lengths = ArrayPool<int>.Shared.Rent(size);
                _starts.AsSpan(0, _count).CopyTo(starts);
                _lengths.AsSpan(0, _count).CopyTo(lengths);
                ArrayPool<int>.Shared.Return(_starts);
                ArrayPool<int>.Shared.Return(_lengths);
                _starts = starts;
                _lengths = lengths;
            }

            if (count > _count)
            {
                _lengths.AsSpan(_count, count - _count).Fill(-1);
                _count = count;
            }
        }

        public void Add(int index, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            var start = _length;
            var scratch = _scratch.AsSpan(start);
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    _lengths[index] = -1;
                    return;
                case JsonTokenType.String when reader.ValueIsEscaped:
                    _length += reader.CopyString(scratch);
                    break;
                case JsonTokenType.String:
                    var text = reader.ValueSpan;
                    if (!System.Text.Unicode.Utf8.IsValid(text))
                    {
                        throw new FormatException("the answer holds text that is not valid UTF-8");
                    }

                    text.CopyTo(scratch);
                    _length += text.Length;
                    break;
                case JsonTokenType.True:
                    "True"u8.CopyTo(scratch);
                    _length += 4;
                    break;
                case JsonTokenType.False:
                    "False"u8.CopyTo(scratch);
                    _length += 5;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var from = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var raw = json[from..(int)reader.BytesConsumed];
                    raw.CopyTo(scratch);
                    _length += raw.Length;
                    break;
                default:
                    reader.ValueSpan.CopyTo(scratch);
                    _length += reader.ValueSpan.Length;
                    break;
            }

            _starts[index] = start;
            _lengths[index] = _length - start;
        }

        public ScoringOutput Build(string[] names, int rows, int? count = null)
        {
            _count = count ?? _count;
            var total = 0;
            for (var i = 0; i < _count; i++)
            {
                total += Math.Max(_lengths[i], 0);
            }

            var data = GC.AllocateUninitializedArray<byte>(total);
            var ends = new int[_count];
            var at = 0;
            for (var i = 0; i < _count; i++)
            {
                var length = _lengths[i];
                if (length < 0)
                {
                    ends[i] = ~at;
                    continue;
                }

                _scratch.AsSpan(_starts[i], length).CopyTo(data.AsSpan(at));
                at += length;
                ends[i] = at;
            }

            return new ScoringOutput(OutputName, null, names, null, names.Length, rows, data, ends);
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            ArrayPool<int>.Shared.Return(_starts);
            ArrayPool<int>.Shared.Return(_lengths);
            _scratch = [];
            _starts = [];
            _lengths = [];
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Number => "number",
        JsonTokenType.String => "string",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        _ => "value",
    };

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;

    /// <summary>
    /// A single call's MLflow body, written by the one table writer into pooled memory each time it is sent, so it
    /// can be sent again (a retry, a key failover) and holds no buffer between sends.
    /// </summary>
    private sealed class TableContent : HttpContent, IReplayableContent
    {
        private readonly ScoringTable _table;
        private readonly KeyValuePair<string, object?>[]? _parameters;

        public TableContent(ScoringTable table, IEnumerable<KeyValuePair<string, object?>>? parameters)
        {
            _table = table;
            _parameters = parameters?.ToArray();
            Headers.ContentType = JsonContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            using var buffer = new PooledBufferWriter(256 + (_table.RawRows.Count * _table.RawColumnNames.Length * 16));
            using (var writer = new TableBodyWriter(buffer))
            {
                MlflowTableEnvelope.WriteTable(writer, _table, _parameters);
            }

            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>An online answer's column names, as text and as UTF-8, shared by the answers that have them.</summary>
internal sealed class AnswerColumns(string[] names, byte[][] utf8)
{
    public string[] Names { get; } = names;

    public byte[][] Utf8 { get; } = utf8;

    /// <summary>Every name is written in JSON as its bytes stand (no quote, backslash or control character to escape).</summary>
    public bool Plain { get; } = utf8.All(name => name.AsSpan().IndexOfAny("\"\\"u8) < 0 && name.AsSpan().IndexOfAnyInRange((byte)0, (byte)0x1F) < 0);
}
