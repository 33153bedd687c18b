using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CellKind = AzureMl.Client.ScoringTable.CellKind;

namespace AzureMl.Client.Internal;

/// <summary>
/// The one writer of table request bodies, used by single calls and bulk runs of both protocols: rows of cells go
/// into pooled memory as JSON arrays, strings escaped exactly as <see cref="Utf8JsonWriter"/> escapes them (plain
/// ASCII copied as it is), numbers and booleans as JSON literals where the protocol takes typed cells.
/// </summary>
internal sealed class TableBodyWriter : IDisposable
{
    private static readonly SearchValues<char> PlainJsonChars = SearchValues.Create(
        " !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    // Made on the first text that needs escaping: most bodies have none.
    private Utf8JsonWriter? _escaper;

    public TableBodyWriter(PooledBufferWriter body)
    {
        Body = body;
    }

    public PooledBufferWriter Body { get; }

    /// <summary>An upper bound of the UTF-8 JSON size of a text cell, quotes and separator included.</summary>
    public static int EstimateCellBytes(string? cell)
    {
        if (cell is null)
        {
            return 5;
        }

        var text = cell.AsSpan();
        var bytes = text.Length + 3;
        var i = text.IndexOfAnyExcept(PlainJsonChars);
        while (i >= 0)
        {
            // The JSON writer's default encoder escapes non-ASCII and HTML-sensitive characters as \uXXXX.
            bytes += 5;
            text = text[(i + 1)..];
            i = text.IndexOfAnyExcept(PlainJsonChars);
        }

        return bytes;
    }

    /// <summary>Writes <c>[cell,…]</c>; <paramref name="kinds"/> (null: all text) are honoured only when <paramref name="typed"/>.</summary>
    public void WriteRow(string?[] cells, CellKind[]? kinds, bool typed)
    {
        var body = Body;
        body.Write("["u8);
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            WriteCell(cells[i], typed && kinds is not null ? kinds[i] : CellKind.Text);
        }

        body.Write("]"u8);
    }

    /// <summary>Writes one cell: null, a JSON number or boolean literal, or a JSON string.</summary>
    public void WriteCell(string? cell, CellKind kind)
    {
        var body = Body;
        if (cell is null)
        {
            body.Write("null"u8);
        }
        else if (kind == CellKind.Number)
        {
            // Formatted by the invariant culture from a finite number: already a JSON number, all ASCII.
            var span = body.GetSpan(cell.Length);
            Ascii.FromUtf16(cell, span, out var written);
            body.Advance(written);
        }
        else if (kind == CellKind.Boolean)
        {
            body.Write(cell == "True" ? "true"u8 : "false"u8);
        }
        else if (!cell.AsSpan().ContainsAnyExcept(PlainJsonChars))
        {
            // Plain ASCII: one byte a character, nothing to escape.
            var span = body.GetSpan(cell.Length + 2);
            span[0] = (byte)'"';
            Ascii.FromUtf16(cell, span[1..], out var written);
            span[written + 1] = (byte)'"';
            body.Advance(written + 2);
        }
        else
        {
            // Anything else is written by the JSON writer with its default encoder.
            var escaper = _escaper ??= new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
            escaper.Reset(body);
            escaper.WriteStringValue(cell);
            escaper.Flush();
        }
    }

    /// <summary>Writes a JSON string (a name or a column) the way <see cref="WriteCell"/> writes text.</summary>
    public void WriteString(string value) => WriteCell(value, CellKind.Text);

    /// <summary>Writes <c>[name,…]</c>.</summary>
    public void WriteNames(string[] names)
    {
        Body.Write("["u8);
        for (var i = 0; i < names.Length; i++)
        {
            if (i > 0)
            {
                Body.Write(","u8);
            }

            WriteString(names[i]);
        }

        Body.Write("]"u8);
    }

    public void Dispose() => _escaper?.Dispose();
}

/// <summary>
/// The JSON around a table's rows in one protocol's request body: the bytes before the first row, and those after
/// the last (which may depend on the row count).
/// </summary>
internal abstract class TableEnvelope
{
    private static readonly MediaTypeHeaderValue PlainJson = new("application/json");
    private static readonly MediaTypeHeaderValue Utf8Json = new("application/json") { CharSet = "utf-8" };

    protected TableEnvelope(byte[] start, bool typedCells, bool charset)
    {
        Start = start;
        TypedCells = typedCells;
        ContentType = charset ? Utf8Json : PlainJson;
    }

    /// <summary>Everything before the first row, the opening bracket of the rows included.</summary>
    public byte[] Start { get; }

    /// <summary>Whether numbers and booleans go out as JSON literals (MLflow) rather than strings (classic).</summary>
    public bool TypedCells { get; }

    /// <summary>The body's content type.</summary>
    public MediaTypeHeaderValue ContentType { get; }

    /// <summary>The bytes <see cref="WriteEnd"/> writes after <paramref name="rows"/> rows.</summary>
    public abstract int EndLength(int rows);

    /// <summary>Writes everything after the last row, the closing bracket of the rows included.</summary>
    public abstract void WriteEnd(PooledBufferWriter body, int rows);

    /// <summary>Renders a fixed part of an envelope.</summary>
    protected static byte[] Render(Action<TableBodyWriter> write)
    {
        using var buffer = new PooledBufferWriter();
        using (var writer = new TableBodyWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenMemory.ToArray();
    }
}

/// <summary>
/// The classic service's table input: <c>{"Inputs":{"input1":{"ColumnNames":[…],"Values":[rows]}},"GlobalParameters":{…}}</c>.
/// Cells are strings.
/// </summary>
internal sealed class ClassicTableEnvelope : TableEnvelope
{
    private readonly byte[] _end;

    public ClassicTableEnvelope(string inputName, string[] columns, IEnumerable<KeyValuePair<string, string>> parameters)
        : base(Render(w => WriteInputStart(w, inputName, columns, first: true)), typedCells: false, charset: false)
    {
        var parameterList = parameters.ToArray();
        _end = Render(w =>
        {
            w.Body.Write("]}}"u8);
            WriteParameters(w, parameterList);
        });
    }

    /// <summary><c>"name":{"ColumnNames":[…],"Values":[</c>, after <c>{"Inputs":{</c> for the first input.</summary>
    public static void WriteInputStart(TableBodyWriter writer, string inputName, string[] columns, bool first)
    {
        writer.Body.Write(first ? "{\"Inputs\":{"u8 : ","u8);
        writer.WriteString(inputName);
        writer.Body.Write(":{\"ColumnNames\":"u8);
        writer.WriteNames(columns);
        writer.Body.Write(",\"Values\":["u8);
    }

    /// <summary><c>,"GlobalParameters":{…}}</c>: the end of the body after the last input.</summary>
    public static void WriteParameters(TableBodyWriter writer, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        writer.Body.Write(",\"GlobalParameters\":{"u8);
        for (var i = 0; i < parameters.Count; i++)
        {
            if (i > 0)
            {
                writer.Body.Write(","u8);
            }

            writer.WriteString(parameters[i].Key);
            writer.Body.Write(":"u8);
            writer.WriteString(parameters[i].Value);
        }

        writer.Body.Write("}}"u8);
    }

    public override int EndLength(int rows) => _end.Length;

    public override void WriteEnd(PooledBufferWriter body, int rows) => body.Write(_end);
}

/// <summary>
/// An MLflow deployment's input in pandas split orientation:
/// <c>{"input_data":{"columns":[…],"data":[rows],"index":[0,…]},"params":{…}}</c>. Numbers and booleans are JSON
/// literals; <c>index</c> is always sent (signature-less models build a DataFrame only with it), after the rows so a
/// body is written in one pass.
/// </summary>
internal sealed class MlflowTableEnvelope : TableEnvelope
{
    private readonly byte[] _end;

    public MlflowTableEnvelope(string[] columns, IEnumerable<KeyValuePair<string, object?>>? parameters)
        : base(Render(w => WriteStart(w, columns)), typedCells: true, charset: true)
    {
        _end = Render(w => WriteParameters(w, parameters));
    }

    /// <summary>Writes a single call's whole body straight into <paramref name="writer"/>.</summary>
    public static void WriteTable(TableBodyWriter writer, ScoringTable table, IEnumerable<KeyValuePair<string, object?>>? parameters)
    {
        WriteStart(writer, table.RawColumnNames);
        var rows = table.RawRows;
        for (var r = 0; r < rows.Count; r++)
        {
            if (r > 0)
            {
                writer.Body.Write(","u8);
            }

            writer.WriteRow(rows[r], table.KindsOf(r), typed: true);
        }

        WriteIndex(writer.Body, rows.Count);
        WriteParameters(writer, parameters);
    }

    private static void WriteStart(TableBodyWriter writer, string[] columns)
    {
        writer.Body.Write("{\"input_data\":{\"columns\":"u8);
        writer.WriteNames(columns);
        writer.Body.Write(",\"data\":["u8);
    }

    /// <summary><c>],"index":[0,…]</c>: the end of the rows and the index.</summary>
    private static void WriteIndex(PooledBufferWriter body, int rows)
    {
        body.Write("],\"index\":["u8);
        for (var i = 0; i < rows; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            var span = body.GetSpan(11);
            i.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            body.Advance(written);
        }

        body.Write("]"u8);
    }

    /// <summary><c>}</c> closing <c>input_data</c>, the <c>params</c> if any, and the closing brace.</summary>
    private static void WriteParameters(TableBodyWriter writer, IEnumerable<KeyValuePair<string, object?>>? parameters)
    {
        writer.Body.Write("}"u8);
        var first = true;
        foreach (var (name, value) in parameters ?? [])
        {
            writer.Body.Write(first ? ",\"params\":{"u8 : ","u8);
            first = false;
            writer.WriteString(name);
            writer.Body.Write(":"u8);
            writer.WriteCell(ScoringTable.FormatCell(value), ScoringTable.KindOf(value));
        }

        if (!first)
        {
            writer.Body.Write("}"u8);
        }

        writer.Body.Write("}"u8);
    }

    public override int EndLength(int rows) => 11 + IndexLength(rows) + _end.Length;

    public override void WriteEnd(PooledBufferWriter body, int rows)
    {
        WriteIndex(body, rows);
        body.Write(_end);
    }

    /// <summary>The bytes of <c>0,1,…,rows-1</c> and the closing bracket.</summary>
    private static int IndexLength(int rows)
    {
        var length = 1 + Math.Max(rows - 1, 0);
        for (long digits = 1, from = 0, to = 10; from < rows; digits++, from = to, to *= 10)
        {
            length += (int)((Math.Min(to, rows) - from) * digits);
        }

        return length;
    }
}
