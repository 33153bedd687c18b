using System.Buffers;
using System.Text;
using System.Text.Unicode;
using AzureMl.Csv;

namespace AzureMl.Cli;

/// <summary>
/// The one way the commands read an input file: UTF-8 (or the <c>--encoding</c> given), RFC 4180 through the reader the
/// emulator uses, records numbered from the header as record 1, with their lines. Checked whole before any call.
/// </summary>
internal sealed class CsvInput
{
    private CsvInput(FileInfo file, Encoding encoding, string[] header, long records)
    {
        File = file;
        Encoding = encoding;
        Header = header;
        Records = records;
    }

    public FileInfo File { get; }

    public Encoding Encoding { get; }

    public string[] Header { get; }

    /// <summary>Gets the number of records after the header.</summary>
    public long Records { get; }

    public static Encoding ParseEncoding(string? name) => name?.ToLowerInvariant() switch
    {
        null or "utf-8" or "utf8" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        "latin1" or "latin-1" or "iso-8859-1" => Encoding.Latin1,
        _ => throw new CliException(ExitCodes.UsageError, $"--encoding '{name}' is not supported: use utf-8 (the default) or latin1."),
    };

    /// <summary>Reads the whole file once: it exists, decodes, is valid CSV and has a header.</summary>
    public static async Task<CsvInput> OpenAsync(FileInfo file, Encoding encoding, CancellationToken cancellationToken)
    {
        if (Directory.Exists(file.FullName))
        {
            throw new CliException(ExitCodes.InputError, $"The input '{file.FullName}' is a directory, not a CSV file.");
        }

        if (!file.Exists)
        {
            throw new CliException(ExitCodes.InputError, $"The input file '{file.FullName}' does not exist.");
        }

        if (encoding is UTF8Encoding)
        {
            await RequireUtf8Async(file, cancellationToken);
        }

        using var reader = OpenText(file, encoding);
        var csv = new CsvReader(reader);
        try
        {
            var header = await csv.ReadRecordAsync(cancellationToken)
                ?? throw new CliException(ExitCodes.InputError, $"The input file '{file.Name}' is empty: its first line must name the columns, e.g. Col2.");
            long records = 0;
            while (await csv.ReadRecordAsync(cancellationToken) is not null)
            {
                records++;
            }

            return new CsvInput(file, encoding, header, records);
        }
        catch (CsvFormatException e)
        {
            throw Malformed(file, e);
        }
    }

    /// <summary>Reads the records after the header, each with its record number and line.</summary>
    public async IAsyncEnumerable<(string[] Fields, long Record, long Line)> ReadRecordsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = OpenText(File, Encoding);
        var csv = new CsvReader(reader);
        await csv.ReadRecordAsync(cancellationToken);
        while (true)
        {
            string[]? record;
            try
            {
                record = await csv.ReadRecordAsync(cancellationToken);
            }
            catch (CsvFormatException e)
            {
                throw Malformed(File, e); // the file changed since it was checked
            }

            if (record is null)
            {
                yield break;
            }

            yield return (record, csv.RecordNumber, csv.RecordLine);
        }
    }

    public static CliException Malformed(FileInfo file, CsvFormatException e) =>
        new(ExitCodes.InputError, e.Describe($"'{file.Name}'") + " Fix that record (RFC 4180: quote a field that holds a comma, quote or line break, and double its quotes).");

    private static StreamReader OpenText(FileInfo file, Encoding encoding) =>
        new(file.FullName, encoding, detectEncodingFromByteOrderMarks: encoding is UTF8Encoding, bufferSize: 64 * 1024);

    // A Latin-1 or UTF-16 file read as UTF-8 silently turns into U+FFFD; refuse it instead, at the first bad byte.
    private static async Task RequireUtf8Async(FileInfo file, CancellationToken cancellationToken)
    {
        await using var stream = file.OpenRead();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var chars = ArrayPool<char>.Shared.Rent(64 * 1024);
        try
        {
            long offset = 0;
            var kept = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(kept, 64 * 1024 - kept), cancellationToken);
                var length = kept + read;
                var final = read == 0;
                var status = Utf8.ToUtf16(buffer.AsSpan(0, length), chars, out var bytesRead, out _, replaceInvalidSequences: false, isFinalBlock: final);
                if (status is System.Buffers.OperationStatus.InvalidData)
                {
                    throw new CliException(ExitCodes.InputError,
                        $"The input file '{file.Name}' is not UTF-8: byte offset {offset + bytesRead} (0x{buffer[bytesRead]:X2}) is not valid UTF-8. Save it as UTF-8, or pass --encoding latin1 if that is what it is.");
                }

                offset += bytesRead;
                kept = length - bytesRead;
                buffer.AsSpan(bytesRead, kept).CopyTo(buffer);
                if (final)
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
