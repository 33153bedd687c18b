namespace AzureMl.Csv;

/// <summary>A delimited-text record that does not parse.</summary>
internal sealed class CsvFormatException(long row, long line, string message) : Exception(message)
{
    /// <summary>Gets the 1-based record number, the header being record 1.</summary>
    public long Row { get; } = row;

    /// <summary>Gets the 1-based line on which the record starts (a quoted field can span lines).</summary>
    public long Line { get; } = line;

    /// <summary>The one wording of a malformed record, for the emulator's job details and the CLI's errors.</summary>
    /// <param name="source">The file or input, e.g. <c>'reviews.csv'</c>.</param>
    public string Describe(string source) =>
        $"Record {Row} (line {Line}) of {source}, counting the header as record 1, is malformed: {Message}.";
}
