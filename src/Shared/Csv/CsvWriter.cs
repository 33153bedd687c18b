using System.Text;
using CsvHelper;
using Library = CsvHelper;

namespace AzureMl.Csv;

/// <summary>
/// Writes delimited text one record at a time (RFC 4180, records ending with CRLF), quoting fields only where needed:
/// a field holding the delimiter, a quote or a line break, or starting or ending with white space (any
/// <see cref="char.IsWhiteSpace(char)"/>), and a lone empty field, which written bare would be a blank line. The
/// formatting itself is CsvHelper's.
/// </summary>
internal sealed class CsvWriter
{
    private readonly Library.CsvWriter _csv;

    /// <summary>Starts writing to <paramref name="writer"/>, which stays open and unflushed (its owner flushes it).</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="delimiter">The field separator, such as a comma or a tab; an ASCII character.</param>
    public CsvWriter(TextWriter writer, char delimiter = ',')
    {
        _csv = Library.CsvWriter.Create(new PassThrough(writer), CsvWriterOptions.Default with
        {
            Mode = CsvMode.Rfc4180,
            Separator = delimiter,
            NewLine = "\r\n",
            Quoting = CsvQuoting.WhenNeededOrWhitespace,
            // The library's whitespace rule knows spaces and tabs; a field at the edge of which any other white space
            // (such as a no-break space) stands is quoted too, so a reader that trims keeps it.
            ShouldQuote = (text, _, _, _) => text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])),
            Injection = CsvInjection.None,
            ValidateFieldCount = false,
            WriteByteOrderMark = false,
        });
    }

    /// <summary>Writes one record to the destination.</summary>
    /// <param name="fields">The fields; <see langword="null"/> is written as an empty field.</param>
    /// <param name="cancellationToken">Cancels writing.</param>
    public async ValueTask WriteRecordAsync(IReadOnlyList<string?> fields, CancellationToken cancellationToken)
    {
        await _csv.WriteRecordAsync(fields as string[] ?? [.. fields!], cancellationToken).ConfigureAwait(false);

        // The record goes on to the destination now; the destination itself is flushed by its owner, as it sees fit.
        await _csv.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands the library's text on to the destination, leaving the flushing and disposing to its owner.</summary>
    private sealed class PassThrough(TextWriter inner) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(value);

        public override void Write(char[] buffer, int index, int count) => inner.Write(buffer, index, count);

        public override void Write(ReadOnlySpan<char> buffer) => inner.Write(buffer);

        public override void Write(string? value) => inner.Write(value);

        public override Task WriteAsync(char value) => inner.WriteAsync(value);

        public override Task WriteAsync(string? value) => inner.WriteAsync(value);

        public override Task WriteAsync(char[] buffer, int index, int count) => inner.WriteAsync(buffer, index, count);

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override Task FlushAsync() => Task.CompletedTask;

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        // Dispose is not overridden to reach the destination: it belongs to the caller.
    }
}
