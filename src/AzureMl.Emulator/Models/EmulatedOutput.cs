namespace AzureMl.Emulator;

/// <summary>An output port of an emulated service: its name, such as <c>output2</c>, and its column schema.</summary>
public sealed class EmulatedOutput
{
    /// <summary>Initializes a new instance of the <see cref="EmulatedOutput"/> class.</summary>
    /// <param name="name">The output name callers see in <c>Results</c> and may override in a job's <c>Outputs</c>.</param>
    /// <param name="columns">The output schema; at least one column.</param>
    public EmulatedOutput(string name, IEnumerable<EmulatedColumn> columns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(columns);
        Name = name;
        Columns = [.. columns];
        if (Columns.Count == 0)
        {
            throw new ArgumentException($"The output '{name}' needs at least one column.", nameof(columns));
        }

        if (Columns.Any(c => c is null))
        {
            throw new ArgumentException($"The output '{name}' has a null column.", nameof(columns));
        }
    }

    /// <summary>Gets the output name.</summary>
    public string Name { get; }

    /// <summary>Gets the output schema.</summary>
    public IReadOnlyList<EmulatedColumn> Columns { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Columns.Count} columns)";
}
