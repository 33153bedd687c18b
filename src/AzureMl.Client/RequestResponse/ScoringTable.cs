using System.Collections;
using System.Globalization;
using AzureMl.Client.Internal;

namespace AzureMl.Client;

/// <summary>
/// An input table for request-response scoring: column names and rows of cells, sent in the table form
/// (<c>{"ColumnNames": […], "Values": [[…]]}</c>). Cells are strings or <see langword="null"/>; values added as
/// objects are formatted with the invariant culture.
/// </summary>
public sealed class ScoringTable
{
    private readonly string[] _columnNames;
    private readonly List<string?[]> _rows = [];

    // Per row, which cells came from numbers or booleans (null: all text), so a protocol with typed JSON cells (an
    // online endpoint's MLflow input) sends them as JSON numbers and booleans; the classic service takes text.
    private readonly List<CellKind[]?> _kinds = [];

    /// <summary>Creates an empty table with the given columns.</summary>
    /// <param name="columnNames">The column names, matched by name against the service's input schema.</param>
    /// <exception cref="ArgumentException">There are no columns, or a name is null, empty or holds a control character.</exception>
    public ScoringTable(params IEnumerable<string> columnNames)
    {
        ArgumentNullException.ThrowIfNull(columnNames);
        _columnNames = [.. columnNames];
        if (_columnNames.Length == 0)
        {
            throw new ArgumentException("A scoring table needs at least one column name.", nameof(columnNames));
        }

        for (var i = 0; i < _columnNames.Length; i++)
        {
            var problem = ScoringValidation.NameProblem(_columnNames[i]);
            if (problem is not null)
            {
                throw new ArgumentException($"Column name {i} {problem}", nameof(columnNames));
            }
        }

        ColumnNames = Array.AsReadOnly(_columnNames);
        Rows = new RowView(_rows);
    }

    /// <summary>The column names, in the order cells are given.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The rows added so far; each has one cell per column.</summary>
    public IReadOnlyList<IReadOnlyList<string?>> Rows { get; }

    /// <summary>
    /// Adds a row. Each cell is formatted with the invariant culture: numbers in round-trip form, booleans as
    /// <c>True</c>/<c>False</c>, dates in ISO 8601 (<c>o</c>), <see langword="null"/> as a JSON null.
    /// </summary>
    /// <param name="cells">One value per column, in column order.</param>
    /// <returns>This table, to chain calls.</returns>
    /// <exception cref="ArgumentException">The number of cells differs from the number of columns, or a cell is a collection.</exception>
    public ScoringTable AddRow(params IEnumerable<object?> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var (row, kinds) = ToRow(cells, _rows.Count, nameof(cells));
        _rows.Add(row);
        _kinds.Add(kinds);
        return this;
    }

    /// <summary>Adds one row per item, its cells chosen by <paramref name="cells"/> (e.g. <c>p =&gt; [p.Name, p.Age]</c>).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items to add.</param>
    /// <param name="cells">Returns the cells of an item, one per column.</param>
    /// <returns>This table, to chain calls.</returns>
    /// <exception cref="ArgumentException">A row's cell count differs from the column count; no row of the call is kept then.</exception>
    public ScoringTable AddRows<T>(IEnumerable<T> items, Func<T, IEnumerable<object?>> cells)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(cells);
        var added = new List<(string?[] Row, CellKind[]? Kinds)>();
        foreach (var item in items)
        {
            added.Add(ToRow(cells(item) ?? throw new ArgumentException($"Row {_rows.Count + added.Count}: the selector returned null.", nameof(cells)), _rows.Count + added.Count, nameof(items)));
        }

        _rows.AddRange(added.Select(a => a.Row));
        _kinds.AddRange(added.Select(a => a.Kinds));
        return this;
    }

    /// <summary>Formats one value as a cell the way <see cref="AddRow"/> does.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The cell text, or <see langword="null"/>.</returns>
    public static string? FormatCell(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "True" : "False",
        DateTime d => d.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("o", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable => throw new ArgumentException($"A cell cannot be a collection ({value.GetType().Name}): pass one value per cell.", nameof(value)),
        _ => value.ToString(),
    };

    /// <summary>Describes the table's shape.</summary>
    /// <returns>The column and row counts.</returns>
    public override string ToString() => $"ScoringTable {{ Columns = {_columnNames.Length}, Rows = {_rows.Count} }}";

    private (string?[] Row, CellKind[]? Kinds) ToRow(IEnumerable<object?> cells, int rowIndex, string paramName)
    {
        var row = new string?[_columnNames.Length];
        CellKind[]? kinds = null;
        var count = 0;
        foreach (var cell in cells)
        {
            if (count < row.Length)
            {
                try
                {
                    SetCell(row, ref kinds, count, cell, typed: true);
                }
                catch (ArgumentException ex)
                {
                    throw new ArgumentException($"Row {rowIndex}, cell {count}: {ex.Message}", paramName, ex);
                }
            }

            count++;
        }

        if (count != row.Length)
        {
            throw new ArgumentException(
                $"Row {rowIndex} has {count} cells but the table has {row.Length} columns ({string.Join(", ", _columnNames)}): give one cell per column, null for a missing value.",
                paramName);
        }

        return (row, kinds);
    }

    internal static CellKind KindOf(object? value) => value switch
    {
        bool => CellKind.Boolean,
        double d when !double.IsFinite(d) => CellKind.Text,
        float f when !float.IsFinite(f) => CellKind.Text,
        sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal => CellKind.Number,
        _ => CellKind.Text,
    };

    /// <summary>How a cell's text goes into typed JSON.</summary>
    internal enum CellKind : byte
    {
        /// <summary>A JSON string (or null).</summary>
        Text = 0,

        /// <summary>A JSON number: the cell is the value's round-trip invariant form.</summary>
        Number = 1,

        /// <summary>A JSON boolean: the cell is <c>True</c> or <c>False</c>.</summary>
        Boolean = 2,
    }

    /// <summary>The kinds of row <paramref name="row"/>'s cells, or <see langword="null"/> when all are text.</summary>
    internal CellKind[]? KindsOf(int row) => row < _kinds.Count ? _kinds[row] : null;

    /// <summary>
    /// Formats <paramref name="value"/> into cell <paramref name="i"/> (<see cref="FormatCell"/>) and, when
    /// <paramref name="typed"/>, records its kind (the kinds array is made for the first number or boolean).
    /// </summary>
    internal static void SetCell(string?[] cells, ref CellKind[]? kinds, int i, object? value, bool typed)
    {
        cells[i] = FormatCell(value);
        if (typed && KindOf(value) is var kind and not CellKind.Text)
        {
            kinds ??= new CellKind[cells.Length];
            kinds[i] = kind;
        }
    }

    /// <summary>Adds a row already formatted (one cell per column, checked by the caller) with its cell kinds.</summary>
    internal void AddRaw(string?[] cells, CellKind[]? kinds)
    {
        if (kinds is not null)
        {
            while (_kinds.Count < _rows.Count)
            {
                _kinds.Add(null);
            }

            _kinds.Add(kinds);
        }

        _rows.Add(cells);
    }

    private sealed class RowView(List<string?[]> rows) : IReadOnlyList<IReadOnlyList<string?>>
    {
        public int Count => rows.Count;

        public IReadOnlyList<string?> this[int index] => Array.AsReadOnly(rows[index]);

        public IEnumerator<IReadOnlyList<string?>> GetEnumerator()
        {
            foreach (var row in rows)
            {
                yield return Array.AsReadOnly(row);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    internal List<string?[]> RawRows => _rows;

    internal string[] RawColumnNames => _columnNames;
}
