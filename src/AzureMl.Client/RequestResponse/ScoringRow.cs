using System.Globalization;
using System.Text;

namespace AzureMl.Client;

/// <summary>
/// One row of a <see cref="ScoringOutput"/>. Cells are read by column index or name, as text or as typed values
/// parsed with the invariant culture. <c>Get…</c> methods throw when a cell is null or not a valid value (naming the
/// row and column); <c>TryGet…</c> methods return <see langword="false"/> instead.
/// </summary>
public readonly struct ScoringRow : IEquatable<ScoringRow>
{
    private const int MaxQuotedLength = 64;
    private readonly ScoringOutput _output;

    internal ScoringRow(ScoringOutput output, int index)
    {
        _output = output;
        Index = index;
    }

    private delegate bool Utf8Parser<T>(ReadOnlySpan<byte> text, out T value);

    /// <summary>The zero-based row index.</summary>
    public int Index { get; }

    /// <summary>The number of cells (the output's column count).</summary>
    public int Count => _output?.ColumnCount ?? 0;

    /// <summary>The text of the cell in <paramref name="column"/>; <see langword="null"/> for a null cell.</summary>
    /// <param name="column">The zero-based column index.</param>
    public string? this[int column] => GetString(column);

    /// <summary>The text of the cell in the column named <paramref name="column"/>; <see langword="null"/> for a null cell.</summary>
    /// <param name="column">The column name.</param>
    public string? this[string column] => GetString(column);

    /// <summary>Compares two rows by identity (same output, same index).</summary>
    /// <param name="left">A row.</param>
    /// <param name="right">Another row.</param>
    /// <returns><see langword="true"/> when both denote the same row.</returns>
    public static bool operator ==(ScoringRow left, ScoringRow right) => left.Equals(right);

    /// <summary>Compares two rows by identity (same output, same index).</summary>
    /// <param name="left">A row.</param>
    /// <param name="right">Another row.</param>
    /// <returns><see langword="true"/> when they denote different rows.</returns>
    public static bool operator !=(ScoringRow left, ScoringRow right) => !left.Equals(right);

    /// <summary>Whether the cell is null.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns><see langword="true"/> for a null cell.</returns>
    public bool IsNull(int column)
    {
        Raw(column, out var isNull);
        return isNull;
    }

    /// <summary>Whether the cell is null.</summary>
    /// <param name="column">The column name.</param>
    /// <returns><see langword="true"/> for a null cell.</returns>
    public bool IsNull(string column) => IsNull(Column(column));

    /// <summary>Reads a cell as text.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The text, or <see langword="null"/> for a null cell.</returns>
    public string? GetString(int column)
    {
        var text = Raw(column, out var isNull);
        return isNull ? null : Encoding.UTF8.GetString(text);
    }

    /// <summary>Reads a cell as text.</summary>
    /// <param name="column">The column name.</param>
    /// <returns>The text, or <see langword="null"/> for a null cell.</returns>
    public string? GetString(string column) => GetString(Column(column));

    /// <summary>Reads a cell as an <see cref="int"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The cell is null.</exception>
    /// <exception cref="FormatException">The cell is not an integer in the <see cref="int"/> range.</exception>
    public int GetInt32(int column) => Get<int>(column, ParseInt32, "Int32");

    /// <inheritdoc cref="GetInt32(int)"/>
    /// <param name="column">The column name.</param>
    public int GetInt32(string column) => GetInt32(Column(column));

    /// <summary>Tries to read a cell as an <see cref="int"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <param name="value">The value, when it could be read.</param>
    /// <returns><see langword="false"/> when the cell is null or not a valid value.</returns>
    public bool TryGetInt32(int column, out int value) => TryGet<int>(column, ParseInt32, out value);

    /// <inheritdoc cref="TryGetInt32(int, out int)"/>
    /// <param name="column">The column name.</param>
    /// <param name="value">The value, when it could be read.</param>
    public bool TryGetInt32(string column, out int value) => TryGetInt32(Column(column), out value);

    /// <summary>Reads a cell as a <see cref="long"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The cell is null.</exception>
    /// <exception cref="FormatException">The cell is not an integer in the <see cref="long"/> range.</exception>
    public long GetInt64(int column) => Get<long>(column, ParseInt64, "Int64");

    /// <inheritdoc cref="GetInt64(int)"/>
    /// <param name="column">The column name.</param>
    public long GetInt64(string column) => GetInt64(Column(column));

    /// <summary>Tries to read a cell as a <see cref="long"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <param name="value">The value, when it could be read.</param>
    /// <returns><see langword="false"/> when the cell is null or not a valid value.</returns>
    public bool TryGetInt64(int column, out long value) => TryGet<long>(column, ParseInt64, out value);

    /// <inheritdoc cref="TryGetInt64(int, out long)"/>
    /// <param name="column">The column name.</param>
    /// <param name="value">The value, when it could be read.</param>
    public bool TryGetInt64(string column, out long value) => TryGetInt64(Column(column), out value);

    /// <summary>Reads a cell as a <see cref="double"/> (<c>NaN</c>, <c>Infinity</c> and exponents accepted).</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The cell is null.</exception>
    /// <exception cref="FormatException">The cell is not a number.</exception>
    public double GetDouble(int column) => Get<double>(column, ParseDouble, "Double");

    /// <inheritdoc cref="GetDouble(int)"/>
    /// <param name="column">The column name.</param>
    public double GetDouble(string column) => GetDouble(Column(column));

    /// <summary>Tries to read a cell as a <see cref="double"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <param name="value">The value, when it could be read.</param>
    /// <returns><see langword="false"/> when the cell is null or not a valid value.</returns>
    public bool TryGetDouble(int column, out double value) => TryGet<double>(column, ParseDouble, out value);

    /// <inheritdoc cref="TryGetDouble(int, out double)"/>
    /// <param name="column">The column name.</param>
    /// <param name="value">The value, when it could be read.</param>
    public bool TryGetDouble(string column, out double value) => TryGetDouble(Column(column), out value);

    /// <summary>Reads a cell as a <see cref="decimal"/> (exponents accepted).</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The cell is null.</exception>
    /// <exception cref="FormatException">The cell is not a number in the <see cref="decimal"/> range.</exception>
    public decimal GetDecimal(int column) => Get<decimal>(column, ParseDecimal, "Decimal");

    /// <inheritdoc cref="GetDecimal(int)"/>
    /// <param name="column">The column name.</param>
    public decimal GetDecimal(string column) => GetDecimal(Column(column));

    /// <summary>Tries to read a cell as a <see cref="decimal"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <param name="value">The value, when it could be read.</param>
    /// <returns><see langword="false"/> when the cell is null or not a valid value.</returns>
    public bool TryGetDecimal(int column, out decimal value) => TryGet<decimal>(column, ParseDecimal, out value);

    /// <inheritdoc cref="TryGetDecimal(int, out decimal)"/>
    /// <param name="column">The column name.</param>
    /// <param name="value">The value, when it could be read.</param>
    public bool TryGetDecimal(string column, out decimal value) => TryGetDecimal(Column(column), out value);

    /// <summary>Reads a cell as a <see cref="bool"/>: <c>True</c> or <c>False</c> in any case.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The cell is null.</exception>
    /// <exception cref="FormatException">The cell is neither <c>True</c> nor <c>False</c>.</exception>
    public bool GetBoolean(int column) => Get<bool>(column, ParseBoolean, "Boolean");

    /// <inheritdoc cref="GetBoolean(int)"/>
    /// <param name="column">The column name.</param>
    public bool GetBoolean(string column) => GetBoolean(Column(column));

    /// <summary>Tries to read a cell as a <see cref="bool"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <param name="value">The value, when it could be read.</param>
    /// <returns><see langword="false"/> when the cell is null or not a valid value.</returns>
    public bool TryGetBoolean(int column, out bool value) => TryGet<bool>(column, ParseBoolean, out value);

    /// <inheritdoc cref="TryGetBoolean(int, out bool)"/>
    /// <param name="column">The column name.</param>
    /// <param name="value">The value, when it could be read.</param>
    public bool TryGetBoolean(string column, out bool value) => TryGetBoolean(Column(column), out value);

    /// <summary>
    /// Reads a cell as a <see cref="DateTime"/> (invariant culture, e.g. <c>1/31/2015 1:02:03 PM</c> or ISO 8601; an
    /// offset or <c>Z</c> gives <see cref="DateTimeKind.Utc"/> or local kind as written).
    /// </summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The cell is null.</exception>
    /// <exception cref="FormatException">The cell is not a date and time.</exception>
    public DateTime GetDateTime(int column) => Get<DateTime>(column, ParseDateTime, "DateTime");

    /// <inheritdoc cref="GetDateTime(int)"/>
    /// <param name="column">The column name.</param>
    public DateTime GetDateTime(string column) => GetDateTime(Column(column));

    /// <summary>Tries to read a cell as a <see cref="DateTime"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <param name="value">The value, when it could be read.</param>
    /// <returns><see langword="false"/> when the cell is null or not a valid value.</returns>
    public bool TryGetDateTime(int column, out DateTime value) => TryGet<DateTime>(column, ParseDateTime, out value);

    /// <inheritdoc cref="TryGetDateTime(int, out DateTime)"/>
    /// <param name="column">The column name.</param>
    /// <param name="value">The value, when it could be read.</param>
    public bool TryGetDateTime(string column, out DateTime value) => TryGetDateTime(Column(column), out value);

    /// <summary>Reads a cell as a <see cref="DateTimeOffset"/> (invariant culture; no offset means UTC).</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The cell is null.</exception>
    /// <exception cref="FormatException">The cell is not a date and time.</exception>
    public DateTimeOffset GetDateTimeOffset(int column) => Get<DateTimeOffset>(column, ParseDateTimeOffset, "DateTimeOffset");

    /// <inheritdoc cref="GetDateTimeOffset(int)"/>
    /// <param name="column">The column name.</param>
    public DateTimeOffset GetDateTimeOffset(string column) => GetDateTimeOffset(Column(column));

    /// <summary>Tries to read a cell as a <see cref="DateTimeOffset"/>.</summary>
    /// <param name="column">The zero-based column index.</param>
    /// <param name="value">The value, when it could be read.</param>
    /// <returns><see langword="false"/> when the cell is null or not a valid value.</returns>
    public bool TryGetDateTimeOffset(int column, out DateTimeOffset value) => TryGet<DateTimeOffset>(column, ParseDateTimeOffset, out value);

    /// <inheritdoc cref="TryGetDateTimeOffset(int, out DateTimeOffset)"/>
    /// <param name="column">The column name.</param>
    /// <param name="value">The value, when it could be read.</param>
    public bool TryGetDateTimeOffset(string column, out DateTimeOffset value) => TryGetDateTimeOffset(Column(column), out value);

    /// <summary>Copies the row's cells as text.</summary>
    /// <returns>One entry per column; <see langword="null"/> for null cells.</returns>
    public string?[] ToArray()
    {
        var cells = new string?[Count];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = GetString(i);
        }

        return cells;
    }

    /// <inheritdoc/>
    public bool Equals(ScoringRow other) => ReferenceEquals(_output, other._output) && Index == other.Index;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ScoringRow other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_output, Index);

    /// <summary>Shows the row's cells.</summary>
    /// <returns>The row index and cells.</returns>
    public override string ToString() =>
        _output is null ? "(no row)" : $"Row {Index}: [{string.Join(", ", ToArray().Select(c => c is null ? "null" : "\"" + c + "\""))}]";

    private static bool ParseInt32(ReadOnlySpan<byte> text, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static bool ParseInt64(ReadOnlySpan<byte> text, out long value) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static bool ParseDouble(ReadOnlySpan<byte> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool ParseDecimal(ReadOnlySpan<byte> text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool ParseBoolean(ReadOnlySpan<byte> text, out bool value)
    {
        text = text.Trim(" \t"u8);
        if (System.Text.Ascii.EqualsIgnoreCase(text, "true"u8))
        {
            value = true;
            return true;
        }

        value = false;
        return System.Text.Ascii.EqualsIgnoreCase(text, "false"u8);
    }

    private static bool ParseDateTime(ReadOnlySpan<byte> text, out DateTime value)
    {
        Span<char> chars = stackalloc char[128];
        if (!TryDecode(text, chars, out var length))
        {
            value = default;
            return false;
        }

        return DateTime.TryParse(chars[..length], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out value);
    }

    private static bool ParseDateTimeOffset(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        Span<char> chars = stackalloc char[128];
        if (!TryDecode(text, chars, out var length))
        {
            value = default;
            return false;
        }

        return DateTimeOffset.TryParse(chars[..length], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    private static bool TryDecode(ReadOnlySpan<byte> text, Span<char> chars, out int length)
    {
        length = 0;
        return text.Length <= chars.Length && Encoding.UTF8.TryGetChars(text, chars, out length);
    }

    private ReadOnlySpan<byte> Raw(int column, out bool isNull)
    {
        if (_output is null)
        {
            throw new InvalidOperationException("This row is empty (default value); read rows from a ScoringOutput.");
        }

        if ((uint)column >= (uint)_output.ColumnCount)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Output '{_output.Name}' has {_output.ColumnCount} columns (0 to {_output.ColumnCount - 1}).");
        }

        return _output.Cell(Index, column, out isNull);
    }

    private int Column(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_output is null)
        {
            throw new InvalidOperationException("This row is empty (default value); read rows from a ScoringOutput.");
        }

        return _output.GetColumnIndex(name);
    }

    private T Get<T>(int column, Utf8Parser<T> parse, string typeName)
    {
        var text = Raw(column, out var isNull);
        if (isNull)
        {
            throw new InvalidOperationException(
                $"Output '{_output.Name}', row {Index}, {_output.DescribeColumn(column)} is null, so it has no {typeName} value. Check IsNull first or use TryGet{typeName}.");
        }

        if (parse(text, out var value))
        {
            return value;
        }

        var shown = Encoding.UTF8.GetString(text);
        if (shown.Length > MaxQuotedLength)
        {
            shown = shown[..MaxQuotedLength] + "…";
        }

        throw new FormatException(
            $"Output '{_output.Name}', row {Index}, {_output.DescribeColumn(column)} holds \"{shown}\", which is not a valid {typeName} (read with the invariant culture{(text.IsEmpty ? "; the cell is empty" : string.Empty)}).");
    }

    private bool TryGet<T>(int column, Utf8Parser<T> parse, out T value)
    {
        var text = Raw(column, out var isNull);
        if (!isNull && parse(text, out value))
        {
            return true;
        }

        value = default!;
        return false;
    }
}
