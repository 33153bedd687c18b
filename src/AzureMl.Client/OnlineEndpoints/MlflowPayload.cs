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

    public static HttpContent Write(ScoringTable table, IReadOnlyDictionary<string, object?>? parameters)
    {
        var envelope = new MlflowTableEnvelope(table.RawColumnNames, parameters);
        using var buffer = new PooledBufferWriter(256 + (table.RawRows.Count * table.RawColumnNames.Length * 16));
        using (var writer = new TableBodyWriter(buffer))
        {
            envelope.WriteTable(writer, table);
        }

        return Json(buffer.WrittenMemory.ToArray());
    }

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
    public static ScoringOutput Read(ReadOnlyMemory<byte> body, string singleColumnName)
    {
        using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.String)
        {
            var inner = root.GetString()!;
            var trimmed = inner.TrimStart();
            if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
            {
                return Read(Encoding.UTF8.GetBytes(inner), singleColumnName);
            }
        }

        return root.ValueKind switch
        {
            JsonValueKind.Array => ReadArray(root, singleColumnName),
            JsonValueKind.Object => ReadColumns(root),
            _ => throw new FormatException($"the answer is a JSON {Describe(root.ValueKind)}, not an array of predictions or an object of columns"),
        };
    }

    private static ScoringOutput ReadArray(JsonElement root, string singleColumnName)
    {
        var length = root.GetArrayLength();
        if (length == 0)
        {
            return new ScoringOutput(OutputName, null, [singleColumnName], null, []);
        }

        var first = root[0].ValueKind;
        if (first == JsonValueKind.Object)
        {
            var names = new List<string>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"the answer mixes row objects with a JSON {Describe(item.ValueKind)}");
                }

                foreach (var p in item.EnumerateObject())
                {
                    if (index.TryAdd(p.Name, names.Count))
                    {
                        names.Add(p.Name);
                    }
                }
            }

            var rows = new List<IReadOnlyList<string?>>(length);
            foreach (var item in root.EnumerateArray())
            {
                var row = new string?[names.Count];
                foreach (var p in item.EnumerateObject())
                {
                    row[index[p.Name]] = Cell(p.Value);
                }

                rows.Add(row);
            }

            return new ScoringOutput(OutputName, null, names, null, rows);
        }

        if (first == JsonValueKind.Array)
        {
            var width = root.EnumerateArray().Max(item => item.ValueKind == JsonValueKind.Array
                ? item.GetArrayLength()
                : throw new FormatException($"the answer mixes rows (arrays) with a JSON {Describe(item.ValueKind)}"));
            var rows = new List<IReadOnlyList<string?>>(length);
            foreach (var item in root.EnumerateArray())
            {
                var row = new string?[width];
                var c = 0;
                foreach (var cell in item.EnumerateArray())
                {
                    row[c++] = Cell(cell);
                }

                rows.Add(row);
            }

            var names = Enumerable.Range(0, width).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            return new ScoringOutput(OutputName, null, names, null, rows);
        }

        var single = new List<IReadOnlyList<string?>>(length);
        foreach (var item in root.EnumerateArray())
        {
            if (item.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            {
                throw new FormatException($"the answer mixes single predictions with a JSON {Describe(item.ValueKind)}");
            }

            single.Add([Cell(item)]);
        }

        return new ScoringOutput(OutputName, null, [singleColumnName], null, single);
    }

    private static ScoringOutput ReadColumns(JsonElement root)
    {
        var names = new List<string>();
        var columns = new List<JsonElement>();
        var rowCount = -1;
        foreach (var p in root.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"the answer is an object whose member \"{Truncate(p.Name)}\" is a JSON {Describe(p.Value.ValueKind)}, not a column (an array)");
            }

            var count = p.Value.GetArrayLength();
            if (rowCount >= 0 && count != rowCount)
            {
                throw new FormatException($"the answer's columns differ in length ({rowCount} and {count} values)");
            }

            rowCount = count;
            names.Add(p.Name);
            columns.Add(p.Value);
        }

        if (names.Count == 0)
        {
            throw new FormatException("the answer is an empty JSON object");
        }

        var rows = new List<IReadOnlyList<string?>>(rowCount);
        for (var r = 0; r < rowCount; r++)
        {
            var row = new string?[names.Count];
            for (var c = 0; c < names.Count; c++)
            {
                row[c] = Cell(columns[c][r]);
            }

            rows.Add(row);
        }

        return new ScoringOutput(OutputName, null, names, null, rows);
    }

    /// <summary>A cell as text: strings as they are, numbers and booleans in their JSON form, nested values as JSON.</summary>
    private static string? Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        _ => value.GetRawText(),
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => "value",
    };

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
