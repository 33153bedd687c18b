using System.Text;

namespace AzureMl.Csv;

/// <summary>
/// Reads delimited text (RFC 4180, the service's dialect: quoted fields, doubled quotes, line breaks inside quotes) one
/// record at a time, strictly: a stray or unclosed quote, or a record whose field count differs from the first
/// record's, throws a <see cref="CsvFormatException"/> naming the record and the line. Blank lines hold no record.
/// Compiled into the emulator and the CLI from this one file, so both read the same files the same way.
/// </summary>
internal sealed class CsvReader(TextReader reader, char delimiter = ',')
{
    private int _width = -1;
    private readonly char[] _buffer = new char[16 * 1024];
    private readonly StringBuilder _field = new();
    private int _position;
    private int _length;
    private long _line = 1;
    private bool _skipLineFeed;

    /// <summary>Gets the 1-based number of the last record read.</summary>
    public long RecordNumber { get; private set; }

    /// <summary>Gets the line on which the last record read started.</summary>
    public long RecordLine { get; private set; }

    public async ValueTask<string[]?> ReadRecordAsync(CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        _field.Clear();
        var inQuotes = false;
        var quoted = false;
        var closedQuote = false;
        var started = false;
        var afterQuotedCarriageReturn = false;
        RecordLine = _line;
        RecordNumber++;
        while (true)
        {
            if (_position == _length)
            {
                _length = await reader.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                _position = 0;
                if (_length == 0)
                {
                    if (inQuotes)
                    {
                        throw new CsvFormatException(RecordNumber, RecordLine, "a quoted field is not closed before the end of the input");
                    }

                    if (!started)
                    {
                        return null;
                    }

                    fields.Add(_field.ToString());
                    return Complete(fields);
                }
            }

            var c = _buffer[_position++];
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (c == '\n')
                {
                    continue;
                }
            }

            if (inQuotes)
            {
                if (c == '"')
                {
                    inQuotes = false;
                    closedQuote = true;
                    afterQuotedCarriageReturn = false;
                }
                else
                {
                    // A line break inside a quoted field still starts a new line: CRLF and LF count once, a lone CR too.
                    if (c == '\r' || (c == '\n' && !afterQuotedCarriageReturn))
                    {
                        _line++;
                    }

                    afterQuotedCarriageReturn = c == '\r';
                    _field.Append(c);
                }

                continue;
            }

            if (c == '"')
            {
                if (closedQuote)
                {
                    // A doubled quote inside a quoted field stands for one quote.
                    _field.Append('"');
                    inQuotes = true;
                    closedQuote = false;
                    continue;
                }

                if (quoted || _field.Length > 0)
                {
                    throw new CsvFormatException(RecordNumber, RecordLine, $"field {fields.Count + 1} has a quote inside an unquoted value");
                }

                inQuotes = quoted = started = true;
                continue;
            }

            if (c == delimiter)
            {
                fields.Add(_field.ToString());
                _field.Clear();
                quoted = closedQuote = false;
                started = true;
                continue;
            }

            if (c is '\r' or '\n')
            {
                CountLine(c);
                if (!started && _field.Length == 0)
                {
                    // A blank line holds no record.
                    RecordLine = _line;
                    continue;
                }

                fields.Add(_field.ToString());
                return Complete(fields);
            }

            if (closedQuote)
            {
                throw new CsvFormatException(RecordNumber, RecordLine, $"field {fields.Count + 1} has text after its closing quote");
            }

            started = true;
            _field.Append(c);
        }
    }

    private string[] Complete(List<string> fields)
    {
        if (_width < 0)
        {
            _width = fields.Count;
        }
        else if (fields.Count != _width)
        {
            throw new CsvFormatException(RecordNumber, RecordLine, $"it has {fields.Count} fields, but the header row has {_width}");
        }

        return [.. fields];
    }

    private void CountLine(char c)
    {
        if (c == '\n')
        {
            _line++;
        }
        else if (c == '\r')
        {
            _line++;
            _skipLineFeed = true;
        }
    }
}
