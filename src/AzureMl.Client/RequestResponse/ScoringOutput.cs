using System.Collections;
using System.Text;

namespace AzureMl.Client;

/// <summary>
/// One output table of a scoring result: column names and types (when the service sent them), and rows of cells
/// read as text or as typed values (invariant culture). Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Cells are kept as UTF-8 text in one buffer, so that large results stay compact; strings and typed values are
/// produced when read. Numbers and booleans the service sent as JSON literals keep their raw text.
/// </remarks>
public sealed class ScoringOutput
{
    private readonly byte[] _data;

    // Per cell, row-major: the end offset of its text in _data, or its bitwise complement for a null cell.
    private readonly int[] _ends;
    private readonly string[]? _columnNames;
    private Dictionary<string, int>? _columnIndex;

    /// <summary>Creates an output table; the client builds these, and tests of your own code can too.</summary>
    /// <param name="name">The output name, e.g. <c>output1</c>.</param>
    /// <param name="type">The <c>type</c> the service gave, e.g. <c>table</c>; may be <see langword="null"/>.</param>
    /// <param name="columnNames">The column names, or <see langword="null"/> when the service sent none.</param>
    /// <param name="columnTypes">The column types, or <see langword="null"/> when the service sent none.</param>
    /// <param name="rows">The rows; each must have one cell per column.</param>
    /// <exception cref="ArgumentException">Rows differ in length, or from the number of column names or types.</exception>
    public ScoringOutput(string name, string? type, IReadOnlyList<string>? columnNames, IReadOnlyList<string>? columnTypes, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(rows);
        var width = columnNames?.Count ?? columnTypes?.Count ?? -1;
        var buffer = new List<byte>();
        var ends = new List<int>();
        var rowCount = 0;
        foreach (var row in rows)
        {
            ArgumentNullException.ThrowIfNull(row, nameof(rows));
            if (width < 0)
            {
                width = row.Count;
            }
            else if (row.Count != width)
            {
                throw new ArgumentException($"Row {rowCount} has {row.Count} cells but the table has {width} columns.", nameof(rows));
            }

            foreach (var cell in row)
            {
                if (cell is null)
                {
                    ends.Add(~buffer.Count);
                }
                else
                {
                    buffer.AddRange(Encoding.UTF8.GetBytes(cell));
                    ends.Add(buffer.Count);
                }
            }

            rowCount++;
        }

        if (columnNames is not null && columnTypes is not null && columnNames.Count != columnTypes.Count)
        {
            throw new ArgumentException($"There are {columnNames.Count} column names but {columnTypes.Count} column types.", nameof(columnTypes));
        }

        Name = name;
        Type = type;
        _columnNames = columnNames?.ToArray();
        ColumnNames = _columnNames is null ? null : Array.AsReadOnly(_columnNames);
        ColumnTypes = columnTypes is null ? null : Array.AsReadOnly(columnTypes.ToArray());
        ColumnCount = Math.Max(width, 0);
        RowCount = rowCount;
        _data = [.. buffer];
        _ends = [.. ends];
        Rows = new RowList(this);
    }

    internal ScoringOutput(string name, string? type, string[]? columnNames, string[]? columnTypes, int columnCount, int rowCount, byte[] data, int[] ends)
    {
        Name = name;
        Type = type;
        _columnNames = columnNames;
        ColumnNames = columnNames is null ? null : Array.AsReadOnly(columnNames);
        ColumnTypes = columnTypes is null ? null : Array.AsReadOnly(columnTypes);
        ColumnCount = columnCount;
        RowCount = rowCount;
        _data = data;
        _ends = ends;
        Rows = new RowList(this);
    }

    /// <summary>The output name, e.g. <c>output1</c>.</summary>
    public string Name { get; }

    /// <summary>The <c>type</c> the service gave (<c>table</c> in practice, <c>DataTable</c> in the docs); any text is accepted.</summary>
    public string? Type { get; }

    /// <summary>The column names; <see langword="null"/> when the service returned cells only (called without details).</summary>
    public IReadOnlyList<string>? ColumnNames { get; }

    /// <summary>The column type names (e.g. <c>String</c>, <c>Int32</c>, <c>Double</c>); <see langword="null"/> when absent.</summary>
    public IReadOnlyList<string>? ColumnTypes { get; }

    /// <summary>The number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The rows, in input order.</summary>
    public IReadOnlyList<ScoringRow> Rows { get; }

    /// <summary>Returns the row at <paramref name="index"/>.</summary>
    /// <param name="index">The zero-based row index.</param>
    /// <returns>The row.</returns>
    public ScoringRow this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowCount);
            return new ScoringRow(this, index);
        }
    }

    /// <summary>Returns the index of the column named <paramref name="name"/> (exact match first, then ignoring case).</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The zero-based column index.</returns>
    /// <exception cref="InvalidOperationException">The service sent no column names.</exception>
    /// <exception cref="KeyNotFoundException">There is no such column; the message lists those there are.</exception>
    public int GetColumnIndex(string name)
    {
        if (TryGetColumnIndex(name, out var index))
        {
            return index;
        }

        if (_columnNames is null)
        {
            throw new InvalidOperationException(
                $"Output '{Name}' has no column names: the service returned cells only. Score with ScoringOptions.Details = true (the default), or read cells by index.");
        }

        throw new KeyNotFoundException($"Output '{Name}' has no column '{name}'. Columns: {string.Join(", ", _columnNames)}.");
    }

    /// <summary>Looks up the index of the column named <paramref name="name"/> (exact match first, then ignoring case).</summary>
    /// <param name="name">The column name.</param>
    /// <param name="index">The zero-based column index, when found.</param>
    /// <returns><see langword="true"/> when the column exists.</returns>
    public bool TryGetColumnIndex(string name, out int index)
    {
        ArgumentNullException.ThrowIfNull(name);
        index = -1;
        if (_columnNames is null)
        {
            return false;
        }

        var map = _columnIndex;
        if (map is null)
        {
            map = new Dictionary<string, int>(_columnNames.Length, StringComparer.Ordinal);
            for (var i = 0; i < _columnNames.Length; i++)
            {
                map.TryAdd(_columnNames[i], i);
            }

            _columnIndex = map;
        }

        if (map.TryGetValue(name, out index))
        {
            return true;
        }

        index = Array.FindIndex(_columnNames, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return index >= 0;
    }

    /// <summary>Describes the table's shape.</summary>
    /// <returns>The name, row and column counts.</returns>
    public override string ToString() => $"{Name}: {RowCount} rows × {ColumnCount} columns";

    /// <summary>The UTF-8 text of a cell; <paramref name="isNull"/> tells a null cell from an empty one.</summary>
    internal ReadOnlySpan<byte> Cell(int row, int column, out bool isNull)
    {
        var i = (row * ColumnCount) + column;
        var end = _ends[i];
        isNull = end < 0;
        if (isNull)
        {
            return default;
        }

        var start = i == 0 ? 0 : _ends[i - 1];
        if (start < 0)
        {
            start = ~start;
        }

        return _data.AsSpan(start, end - start);
    }

    internal string DescribeColumn(int column) =>
        _columnNames is not null ? $"column '{_columnNames[column]}' (index {column})" : $"column {column}";

    private sealed class RowList(ScoringOutput output) : IReadOnlyList<ScoringRow>
    {
        public int Count => output.RowCount;

        public ScoringRow this[int index] => output[index];

        public IEnumerator<ScoringRow> GetEnumerator()
        {
            for (var i = 0; i < output.RowCount; i++)
            {
                yield return new ScoringRow(output, i);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
