namespace AzureMl.Emulator;

/// <summary>One input row handed to a model: cells by input column, and the call's global parameters.</summary>
public sealed class EmulatedRow
{
    private readonly IReadOnlyList<EmulatedColumn> _columns;
    private readonly string?[] _values;

    internal EmulatedRow(IReadOnlyList<EmulatedColumn> columns, string?[] values, long index, IReadOnlyDictionary<string, string?> globalParameters)
    {
        _columns = columns;
        _values = values;
        Index = index;
        GlobalParameters = globalParameters;
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
