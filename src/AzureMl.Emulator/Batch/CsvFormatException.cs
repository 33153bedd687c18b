namespace AzureMl.Emulator;

/// <summary>A delimited-text record that does not parse.</summary>
internal sealed class CsvFormatException(long line, string message) : Exception(message)
{
    public long Line { get; } = line;
}
