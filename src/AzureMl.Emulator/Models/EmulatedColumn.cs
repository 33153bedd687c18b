namespace AzureMl.Emulator;

/// <summary>A column of a model's input or output schema.</summary>
public sealed class EmulatedColumn
{
    /// <summary>Initializes a new instance of the <see cref="EmulatedColumn"/> class.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="type">The type name the service reports in <c>ColumnTypes</c>, such as <c>String</c>, <c>Int32</c> or <c>Double</c>.</param>
    public EmulatedColumn(string name, string type = "String")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(type);
        Name = name;
        Type = type;
    }

    /// <summary>Gets the column name.</summary>
    public string Name { get; }

    /// <summary>Gets the type name reported in <c>ColumnTypes</c>.</summary>
    public string Type { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Type})";
}
