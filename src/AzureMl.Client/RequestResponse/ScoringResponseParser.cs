using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace AzureMl.Client.Internal;

/// <summary>The body was JSON but not the shape of a scoring response.</summary>
internal sealed class ScoringResponseFormatException(string message) : Exception(message);

/// <summary>
/// Parses scoring responses from a UTF-8 body with <see cref="Utf8JsonReader"/>. Table cells go into one compact
/// UTF-8 buffer per output (pooled scratch while parsing, one exact copy at the end), so a large response allocates
/// about its own size once.
/// </summary>
internal static class ScoringResponseParser
{
    // The service answers plain JSON: a comment is invalid JSON, reported like any other (one parse, no retry).
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    public static ScoringResult ParseTable(ReadOnlySpan<byte> body) => ParseTable(body, fastValues: true);

    public static SwaggerScoringResult ParseSwagger(ReadOnlySpan<byte> body)
    {
        var reader = StartResults(body, out _);
        var outputs = new List<KeyValuePair<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>>>();
        while (NextProperty(ref reader))
        {
            var name = reader.GetString()!;
            reader.Read();
            if (outputs.Exists(o => o.Key == name))
            {
                throw Fail($"output \"{name}\" appears twice in \"Results\"");
            }

            outputs.Add(new(name, ReadSwaggerOutput(ref reader, name)));
        }

        EndResults(ref reader, outputs.Count);
        return new SwaggerScoringResult(outputs);
    }

    /// <summary>Parses a table answer; <paramref name="fastValues"/> false reads every Values cell with the reader (benchmarks compare).</summary>
    internal static ScoringResult ParseTable(ReadOnlySpan<byte> body, bool fastValues)
    {
        var reader = StartResults(body, out var json);
        var outputs = new List<ScoringOutput>();
        var cells = new CellBuffer(body.Length);
        try
        {
            while (NextProperty(ref reader))
            {
                var name = reader.GetString()!;
                reader.Read();
                if (outputs.Exists(o => o.Name == name))
                {
                    throw Fail($"output \"{name}\" appears twice in \"Results\"");
                }

                outputs.Add(ReadTableOutput(ref reader, ref json, name, cells, fastValues));
            }
        }
        finally
        {
            cells.Dispose();
        }

        EndResults(ref reader, outputs.Count);
        return new ScoringResult(outputs);
    }

    private static Utf8JsonReader StartResults(ReadOnlySpan<byte> body, out ReadOnlySpan<byte> json)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        if (trimmed.StartsWith("\uFEFF"u8))
        {
            trimmed = trimmed[3..].TrimStart(" \t\r\n"u8);
        }

        if (trimmed.IsEmpty)
        {
            throw Fail("the body was empty");
        }

        if (trimmed[0] == (byte)'<')
        {
            throw Fail("the body is HTML or XML, not JSON (a proxy or load balancer may have answered)");
        }

        json = trimmed;
        var reader = new Utf8JsonReader(trimmed, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail($"the body is a JSON {Kind(reader.TokenType)}, not an object with \"Results\"");
        }

        var found = false;
        while (NextProperty(ref reader))
        {
            if (NameIs(ref reader, "Results"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Fail($"\"Results\" is a JSON {Kind(reader.TokenType)}, not an object of outputs");
                }

                found = true;
                break;
            }

            reader.Read();
            reader.Skip();
        }

        if (!found)
        {
            throw Fail("it has no \"Results\" object");
        }

        return reader;
    }

    private static void EndResults(ref Utf8JsonReader reader, int outputCount)
    {
        if (outputCount == 0)
        {
            throw Fail("\"Results\" has no outputs");
        }

        // Skip what follows "Results" in the root object, then make sure nothing trails it.
        while (NextProperty(ref reader))
        {
            reader.Read();
            reader.Skip();
        }

        if (reader.Read())
        {
            throw Fail("there is more JSON after the response object");
        }
    }

    private static ScoringOutput ReadTableOutput(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> json, string name, CellBuffer cells, bool fastValues)
    {
        var at = $"Results.{name}";
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            throw Fail($"{at} is an array of rows (the swagger form), not a {{\"type\", \"value\"}} table; call ExecuteSwaggerAsync for that form");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail($"{at} is a JSON {Kind(reader.TokenType)}, not an object with \"type\" and \"value\"");
        }

        string? type = null;
        Table? table = null;
        while (NextProperty(ref reader))
        {
            if (NameIs(ref reader, "type"u8))
            {
                reader.Read();
                type = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    _ => throw Fail($"{at}.type is a JSON {Kind(reader.TokenType)}, not a string"),
                };
            }
            else if (NameIs(ref reader, "value"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Fail($"{at}.value is a JSON {Kind(reader.TokenType)}, not an object with \"Values\"");
                }

                table = ReadTable(ref reader, ref json, at + ".value", cells, fastValues);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (table is null)
        {
            throw Fail($"{at} has no \"value\" table");
        }

        var t = table.Value;
        return new ScoringOutput(name, type, t.Names, t.Types, t.ColumnCount, t.RowCount, t.Data, t.Ends);
    }

    private static Table ReadTable(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> json, string at, CellBuffer cells, bool fastValues)
    {
        string[]? names = null;
        string[]? types = null;
        var sawValues = false;
        var rowCount = 0;
        var width = -1;
        cells.Reset();
        while (NextProperty(ref reader))
        {
            if (NameIs(ref reader, "ColumnNames"u8))
            {
                reader.Read();
                names = ReadStringArray(ref reader, at + ".ColumnNames");
            }
            else if (NameIs(ref reader, "ColumnTypes"u8))
            {
                reader.Read();
                types = ReadStringArray(ref reader, at + ".ColumnTypes");
            }
            else if (NameIs(ref reader, "Values"u8))
            {
                reader.Read();
                sawValues = true;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Fail($"{at}.Values is a JSON {Kind(reader.TokenType)}, not an array of rows");
                }

                if (fastValues && TryScanValues(json, (int)reader.BytesConsumed, cells, ref rowCount, ref width, out var end))
                {
                    // The rows were plain: go on after them with a reader that resumes in the array's state.
                    var state = reader.CurrentState;
                    json = json[end..];
                    reader = new Utf8JsonReader(json, isFinalBlock: true, state);
                    reader.Read();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw Fail($"{at}.Values[{rowCount}] is a JSON {Kind(reader.TokenType)}, not an array of cells");
                    }

                    var count = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        switch (reader.TokenType)
                        {
                            case JsonTokenType.String:
                                cells.AddString(ref reader);
                                break;
                            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                                cells.AddRaw(reader.ValueSpan);
                                break;
                            case JsonTokenType.Null:
                                cells.AddNull();
                                break;
                            default:
                                throw Fail($"{at}.Values[{rowCount}][{count}] is a JSON {Kind(reader.TokenType)}; cells must be strings, numbers, booleans or null");
                        }

                        count++;
                    }

                    if (width < 0)
                    {
                        width = count;
                    }
                    else if (count != width)
                    {
                        throw Fail($"{at}.Values[{rowCount}] has {count} cells, but Values[0] has {width}");
                    }

                    rowCount++;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawValues)
        {
            throw Fail($"{at} has no \"Values\"");
        }

        var columnCount = width >= 0 ? width : names?.Length ?? types?.Length ?? 0;
        if (names is not null && names.Length != columnCount)
        {
            throw Fail($"{at} has {names.Length} column names but its rows have {columnCount} cells");
        }

        if (types is not null && types.Length != columnCount)
        {
            throw Fail($"{at} has {types.Length} column types but {columnCount} columns");
        }

        var (data, ends) = cells.ToArrays();
        return new Table(names, types, columnCount, rowCount, data, ends);
    }

    private static string[]? ReadStringArray(ref Utf8JsonReader reader, string at)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail($"{at} is a JSON {Kind(reader.TokenType)}, not an array of strings");
        }

        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Fail($"{at}[{list.Count}] is a JSON {Kind(reader.TokenType)}, not a string");
            }

            list.Add(reader.GetString()!);
        }

        return [.. list];
    }

    private static List<IReadOnlyDictionary<string, string?>> ReadSwaggerOutput(ref Utf8JsonReader reader, string name)
    {
        var at = $"Results.{name}";
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            throw Fail($"{at} is an object (the table form), not an array of row objects; call ExecuteAsync for that form");
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail($"{at} is a JSON {Kind(reader.TokenType)}, not an array of row objects");
        }

        var rows = new List<IReadOnlyDictionary<string, string?>>();
        var keys = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Fail($"{at}[{rows.Count}] is a JSON {Kind(reader.TokenType)}, not a row object");
            }

            var row = new Dictionary<string, string?>(keys.Count, StringComparer.Ordinal);
            var position = 0;
            while (NextProperty(ref reader))
            {
                // Rows repeat the same keys in the same order: reuse the strings of the previous row.
                string key;
                if (position < keys.Count && reader.ValueTextEquals(keys[position]))
                {
                    key = keys[position];
                }
                else
                {
                    key = reader.GetString()!;
                    if (position < keys.Count)
                    {
                        keys[position] = key;
                    }
                    else
                    {
                        keys.Add(key);
                    }
                }

                reader.Read();
                row[key] = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => Encoding.UTF8.GetString(reader.ValueSpan),
                    JsonTokenType.Null => null,
                    _ => throw Fail($"{at}[{rows.Count}].{key} is a JSON {Kind(reader.TokenType)}; values must be strings, numbers, booleans or null"),
                };
                position++;
            }

            rows.Add(row.AsReadOnly());
        }

        return rows;
    }

    /// <summary>
    /// Reads the rows of a <c>Values</c> array the fast way when every cell is plain: a string without escapes, a
    /// number, a boolean or null, every row as wide as the first. Returns false, with nothing added, for anything
    /// else, so the reader reads the array and reports what is wrong. On success, <paramref name="end"/> is the
    /// index of the array's closing bracket.
    /// </summary>
    /// <remarks>
    /// A second grammar for the commonest part of an answer, kept because it pays (ResponseValuesBenchmarks: about a
    /// third off a large table's parse) and held to the reader's results by ScoringResponseParserEquivalenceTests.
    /// </remarks>
    private static bool TryScanValues(ReadOnlySpan<byte> json, int start, CellBuffer cells, ref int rowCount, ref int width, out int end)
    {
        var mark = cells.Mark();
        var rows = rowCount;
        var wide = width;
        var i = PlainJson.SkipSpace(json, start);
        if (i < json.Length && json[i] == (byte)']')
        {
            end = i;
            return true;
        }

        while (i < json.Length && json[i] == (byte)'[')
        {
            var count = 0;
            i = PlainJson.SkipSpace(json, i + 1);
            if (i < json.Length && json[i] == (byte)']')
            {
                i++;
            }
            else
            {
                while (true)
                {
                    i = ScanCell(json, i, cells);
                    if (i < 0)
                    {
                        break;
                    }

                    count++;
                    i = PlainJson.SkipSpace(json, i);
                    if (i < json.Length && json[i] == (byte)',')
                    {
                        i = PlainJson.SkipSpace(json, i + 1);
                        continue;
                    }

                    if (i < json.Length && json[i] == (byte)']')
                    {
                        i++;
                    }
                    else
                    {
                        i = -1;
                    }

                    break;
                }

                if (i < 0)
                {
                    break;
                }
            }

            if (wide < 0)
            {
                wide = count;
            }
            else if (count != wide)
            {
                break;
            }

            rows++;
            i = PlainJson.SkipSpace(json, i);
            if (i < json.Length && json[i] == (byte)']')
            {
                rowCount = rows;
                width = wide;
                end = i;
                return true;
            }

            if (i >= json.Length || json[i] != (byte)',')
            {
                break;
            }

            i = PlainJson.SkipSpace(json, i + 1);
        }

        cells.Restore(mark);
        end = 0;
        return false;
    }

    /// <summary>Adds the plain cell at <paramref name="i"/> and returns the index after it, or -1 when it is not plain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanCell(ReadOnlySpan<byte> json, int i, CellBuffer cells)
    {
        if ((uint)i >= (uint)json.Length)
        {
            return -1;
        }

        int after;
        if (json[i] == (byte)'"')
        {
            after = PlainJson.ScanString(json, i);
            if (after >= 0)
            {
                cells.AddRaw(json[(i + 1)..(after - 1)]);
            }

            return after;
        }

        after = PlainJson.ScanOther(json, i, out var kind);
        if (after >= 0)
        {
            if (kind == PlainJson.Kind.Null)
            {
                cells.AddNull();
            }
            else
            {
                cells.AddRaw(json[i..after]);
            }
        }

        return after;
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    private static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.ValueTextEquals(name))
        {
            return true;
        }

        return !reader.ValueIsEscaped && Ascii.EqualsIgnoreCase(reader.ValueSpan, name);
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static ScoringResponseFormatException Fail(string what) => new(what);

    private readonly record struct Table(string[]? Names, string[]? Types, int ColumnCount, int RowCount, byte[] Data, int[] Ends);
}
