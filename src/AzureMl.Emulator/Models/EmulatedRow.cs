namespace AzureMl.Emulator;

/// <summary>One input row handed to a model: cells by input column, and the call's global parameters.</summary>
public sealed class EmulatedRow
{
    private readonly IReadOnlyList<EmulatedColumn> _columns;
    private readonly string?[] _values;

    /// <summary>Initializes a new instance of the <see cref="EmulatedRow"/> class, for testing a model on its own.</summary>
    /// <param name="columns">The input columns.</param>
    /// <param name="values">The cells, one per column.</param>
    /// <param name="index">The zero-based row position.</param>
    /// <param name="globalParameters">The global parameters; <see langword="null"/> for none.</param>
    public EmulatedRow(IReadOnlyList<EmulatedColumn> columns, IReadOnlyList<string?> values, long index = 0, IReadOnlyDictionary<string, string?>? globalParameters = null)
        : this(Checked(columns, values), [.. values], index, globalParameters ?? new Dictionary<string, string?>())
    {
    }

    internal EmulatedRow(IReadOnlyList<EmulatedColumn> columns, string?[] values, long index, IReadOnlyDictionary<string, string?> globalParameters)
    {
        _columns = columns;
        _values = values;
        Index = index;
        GlobalParameters = globalParameters;
    }

    private static IReadOnlyList<EmulatedColumn> Checked(IReadOnlyList<EmulatedColumn> columns, IReadOnlyList<string?> values)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (columns.Count != values.Count)
        {
            throw new ArgumentException($"The row has {values.Count} values for {columns.Count} columns.", nameof(values));
        }

        return columns;
    }

    /// <summary>Gets the zero-based position of the row in its request or input blob.</summary>
    public long Index { get; }

    /// <summary>Gets the global parameters of the call (empty when none).</summary>
    public IReadOnlyDictionary<string, string?> GlobalParameters { get; }

    /// <summary>Gets the input cells, in the order of the model's <see cref="EmulatedModel.InputColumns"/>.</summary>
    public IReadOnlyList<string?> Values => _values;

    /// <summary>Gets the cell of an input column.</summary>
    /// <param name="column">The input column name.</param>
    /// <returns>The cell text, or <see langword="null"/> for a null cell.</returns>
    /// <exception cref="KeyNotFoundException">The model has no such input column.</exception>
    public string? this[string column]
    {
        get
        {
            for (var i = 0; i < _columns.Count; i++)
            {
                if (string.Equals(_columns[i].Name, column, StringComparison.Ordinal))
                {
                    return _values[i];
                }
            }

            throw new KeyNotFoundException($"The model has no input column '{column}'.");
        }
    }
}
