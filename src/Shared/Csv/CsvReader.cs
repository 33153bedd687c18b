using CsvHelper;
using Library = CsvHelper;

namespace AzureMl.Csv;

/// <summary>
/// Reads delimited text (RFC 4180, the service's dialect: quoted fields, doubled quotes, line breaks inside quotes) one
/// record at a time, strictly: a stray or unclosed quote, or a record whose field count differs from the first
/// record's, throws a <see cref="CsvFormatException"/> naming the record and the line. Blank lines hold no record.
/// Compiled into the emulator and the CLI from this one file, so both read the same files the same way; the parsing
/// itself is CsvHelper's.
/// </summary>
internal sealed class CsvReader
{
    private readonly Library.CsvReader _csv;
    private readonly char _delimiter;
    private CsvMalformedRecord? _malformed;
    private int _width = -1;
    private bool _ended;

    /// <summary>Starts reading <paramref name="reader"/>, which stays open (its owner disposes it).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="delimiter">The field separator, such as a comma or a tab; an ASCII character.</param>
    public CsvReader(TextReader reader, char delimiter = ',')
    {
        _delimiter = delimiter;
        _csv = Library.CsvReader.Create(reader, new CsvReaderOptions
        {
            Mode = CsvMode.Rfc4180,
            Separator = delimiter,
            Quote = '"',
            HasHeader = false,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            TrimWhitespace = false,
            TrimInsideQuotes = false,
            TrackLineNumbers = true,
            MissingField = CsvMissingFieldHandling.Throw,
            // Malformed quoting is reported to OnMalformed with its reason, and thrown here once its record is reached
            // (a record the library throws for carries no reason); field counts are checked here against the first record.
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = OnMalformed,
        }, leaveOpen: true);
    }

    /// <summary>Gets the 1-based number of the last record read.</summary>
    public long RecordNumber { get; private set; }

    /// <summary>Gets the line on which the last record read started.</summary>
    public long RecordLine { get; private set; }

    /// <summary>Reads the next record.</summary>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The fields of the record, or <see langword="null"/> at the end of the input.</returns>
    /// <exception cref="CsvFormatException">The record is malformed.</exception>
    public async ValueTask<string[]?> ReadRecordAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        if (!await _csv.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ThrowIfMalformed(long.MaxValue);
            _ended = true;
            await _csv.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        RecordNumber++;
        RecordLine = _csv.LineNumber;
        ThrowIfMalformed(RecordNumber);
        var fields = new string[_csv.FieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = _csv.GetString(i);
        }

        if (_width < 0)
        {
            _width = fields.Length;
        }
        else if (fields.Length != _width)
        {
            throw new CsvFormatException(RecordNumber, RecordLine, $"it has {fields.Length} fields, but the header row has {_width}");
        }

        return fields;
    }

    private void OnMalformed(CsvMalformedRecord record)
    {
        // The library may scan ahead of the record returned last: the first problem in the input is the one to report.
        if (_malformed is not { } first || record.RecordNumber < first.RecordNumber)
        {
            _malformed = record;
        }
    }

    private void ThrowIfMalformed(long reached)
    {
        if (_malformed is { } bad && bad.RecordNumber <= reached)
        {
            throw new CsvFormatException(bad.RecordNumber, bad.LineNumber, Describe(bad));
        }
    }

    private string Describe(CsvMalformedRecord bad)
    {
        var field = FirstBadField(bad.RawRecord);
        var which = field > 0 ? $"field {field}" : "a field";
        return bad.Reason switch
        {
            CsvMalformedReason.StrayQuote => $"{which} has a quote inside an unquoted value",
            CsvMalformedReason.TextAfterClosingQuote => $"{which} has text after its closing quote",
            CsvMalformedReason.UnterminatedQuote => "a quoted field is not closed before the end of the input",
            _ => $"its quoting is not RFC 4180 ({bad.Reason})",
        };
    }

    /// <summary>The 1-based field where a record's quoting first breaks RFC 4180, or 0 when none is found.</summary>
    private int FirstBadField(string? raw)
    {
        var field = 1;
        bool inQuotes = false, quoted = false, closed = false, text = false;
        foreach (var c in raw ?? "")
        {
            if (inQuotes)
            {
                if (c == '"')
                {
                    inQuotes = false;
                    closed = true;
                }
            }
            else if (c == '"')
            {
                if (closed)
                {
                    // A doubled quote inside a quoted field stands for one quote.
                    inQuotes = true;
                    closed = false;
                }
                else if (quoted || text)
                {
                    return field;
                }
                else
                {
                    inQuotes = quoted = true;
                }
            }
            else if (c == _delimiter)
            {
                field++;
                quoted = closed = text = false;
            }
            else if (closed)
            {
                return field;
            }
            else
            {
                text = true;
            }
        }

        return 0;
    }
}
