namespace AzureMl.Emulator;

/// <summary>A delimited-text record that does not parse.</summary>
internal sealed class CsvFormatException(long row, long line, string message) : Exception(message)
{
    /// <summary>Gets the 1-based record number, the header being record 1.</summary>
    public long Row { get; } = row;

    public long Line { get; } = line;
}
