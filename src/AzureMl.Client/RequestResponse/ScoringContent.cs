using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace AzureMl.Client.Internal;

/// <summary>
/// A scoring request body written straight into the request stream: tables by the one table writer
/// (<see cref="TableBodyWriter"/>), the swagger form by <see cref="Utf8JsonWriter"/>. It can be written more than
/// once, so a resilience handler may send it again.
/// </summary>
internal sealed class ScoringContent : HttpContent, IReplayableContent
{
    private const int FlushThreshold = 32 * 1024;
    private readonly KeyValuePair<string, ScoringTable>[]? _tables;
    private readonly KeyValuePair<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>>[]? _swagger;
    private readonly KeyValuePair<string, string>[] _parameters;

    public ScoringContent(ScoringRequest request)
    {
        _tables = [.. request.Inputs];
        _parameters = [.. request.GlobalParameters];
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    public ScoringContent(SwaggerScoringRequest request)
    {
        _swagger = [.. request.Inputs];
        _parameters = [.. request.GlobalParameters];
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Written into pooled memory and copied to the stream in chunks: a stream-backed writer would allocate its
        // own buffer on every call.
        using var buffer = new PooledBufferWriter();
        if (_tables is not null)
        {
            await WriteTablesAsync(buffer, stream, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteSwaggerAsync(buffer, stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    /// <summary>The table form, through the one table writer (<see cref="ClassicTableEnvelope"/>).</summary>
    private async Task WriteTablesAsync(PooledBufferWriter buffer, Stream stream, CancellationToken cancellationToken)
    {
        using var writer = new TableBodyWriter(buffer);
        for (var t = 0; t < _tables!.Length; t++)
        {
            var (name, table) = _tables[t];
            ClassicTableEnvelope.WriteInputStart(writer, name, table.RawColumnNames, first: t == 0);
            var rows = table.RawRows;
            for (var r = 0; r < rows.Count; r++)
            {
                if (r > 0)
                {
                    buffer.Write(","u8);
                }

                writer.WriteRow(rows[r], kinds: null, typed: false);
                if (buffer.WrittenCount > FlushThreshold)
                {
                    await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    buffer.Clear();
                }
            }

            buffer.Write("]}"u8);
        }

        buffer.Write("}"u8);
        ClassicTableEnvelope.WriteParameters(writer, _parameters);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteSwaggerAsync(PooledBufferWriter buffer, Stream stream, CancellationToken cancellationToken)
    {
        var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Inputs"u8);
            writer.WriteStartObject();
            foreach (var (name, rows) in _swagger!)
            {
                writer.WritePropertyName(name);
                writer.WriteStartArray();
                foreach (var row in rows)
                {
                    writer.WriteStartObject();
                    foreach (var (column, cell) in row)
                    {
                        writer.WritePropertyName(column);
                        WriteCell(writer, cell);
                    }

                    writer.WriteEndObject();
                    if (writer.BytesPending + buffer.WrittenCount > FlushThreshold)
                    {
                        await DrainAsync(writer, buffer, stream, cancellationToken).ConfigureAwait(false);
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WritePropertyName("GlobalParameters"u8);
            writer.WriteStartObject();
            foreach (var (name, value) in _parameters)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            await DrainAsync(writer, buffer, stream, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask DrainAsync(Utf8JsonWriter writer, PooledBufferWriter buffer, Stream stream, CancellationToken cancellationToken)
    {
        writer.Flush();
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        buffer.Clear();
    }

    private static void WriteCell(Utf8JsonWriter writer, string? cell)
    {
        if (cell is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(cell);
        }
    }
}
