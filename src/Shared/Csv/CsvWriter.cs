using System.Text;

namespace AzureMl.Csv;

/// <summary>Writes delimited text one record at a time, quoting fields only where needed.</summary>
internal sealed class CsvWriter(TextWriter writer, char delimiter = ',')
{
    private readonly StringBuilder _line = new();

    public async ValueTask WriteRecordAsync(IReadOnlyList<string?> fields, CancellationToken cancellationToken)
    {
        _line.Clear();
        if (fields.Count == 1 && string.IsNullOrEmpty(fields[0]))
        {
            // A lone empty field written bare would be a blank line, which holds no record: quoted, it stays one.
            _line.Append("\"\"\r\n");
            await writer.WriteAsync(_line, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                _line.Append(delimiter);
            }

            Append(fields[i]);
        }

        _line.Append("\r\n");
        await writer.WriteAsync(_line, cancellationToken).ConfigureAwait(false);
    }

    private void Append(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return;
        }

        var needsQuotes = field.AsSpan().IndexOfAny(['"', '\r', '\n', delimiter]) >= 0
            || char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1]);
        if (!needsQuotes)
        {
            _line.Append(field);
            return;
        }

        _line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
