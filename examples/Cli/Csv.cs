using System.Text;

namespace AzureMl.Cli;

/// <summary>Reads and writes RFC 4180 CSV: comma separated, fields quoted with <c>"</c> when needed.</summary>
internal static class Csv
{
    /// <summary>Reads one record, or returns null at the end of the file.</summary>
    public static List<string>? ReadRecord(TextReader reader, long line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        while (true)
        {
            var next = reader.Read();
            if (next < 0)
            {
                if (quoted)
                {
                    throw new CliException(ExitCodes.InputError, $"Line {line}: a quoted field is not closed before the end of the file.");
                }

                if (!any)
                {
                    return null;
                }

                fields.Add(field.ToString());
                return fields;
            }

            any = true;
            var c = (char)next;
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (reader.Peek() == '"')
                {
                    reader.Read();
                    field.Append('"');
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' || c == '\n')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                if (fields.Count == 0 && field.Length == 0)
                {
                    any = false;
                    continue; // a blank line
                }

                fields.Add(field.ToString());
                return fields;
            }
            else
            {
                field.Append(c);
            }
        }
    }

    public static async Task WriteRecordAsync(TextWriter writer, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var value in fields)
        {
            if (!first)
            {
                await writer.WriteAsync(',');
            }

            first = false;
            if (value is null)
            {
                continue;
            }

            if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                await writer.WriteAsync('"');
                await writer.WriteAsync(value.Replace("\"", "\"\"", StringComparison.Ordinal));
                await writer.WriteAsync('"');
            }
            else
            {
                await writer.WriteAsync(value);
            }
        }

        await writer.WriteLineAsync();
    }
}
