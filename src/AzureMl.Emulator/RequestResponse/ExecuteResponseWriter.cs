using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>
/// Writes a classic execute answer: each output as a table (<c>ColumnNames</c> and <c>ColumnTypes</c> with
/// <c>details=true</c>), or as an array of row objects with <c>format=swagger</c>; streamed as it is built. The scored rows hold, per input row, one row per output.
/// </summary>
internal static class ExecuteResponseWriter
{
    public static async Task WriteAsync(HttpContext context, EmulatedModel model, IReadOnlyList<IReadOnlyList<IReadOnlyList<string?>>> scored, bool swagger, bool details)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Results");
            var outputs = model.Outputs;
            for (var o = 0; o < outputs.Count; o++)
            {
                var columns = outputs[o].Columns;
                if (swagger)
                {
                    writer.WriteStartArray(outputs[o].Name);
                    foreach (var row in scored)
                    {
                        var cells = row[o];
                        writer.WriteStartObject();
                        for (var i = 0; i < cells.Count; i++)
                        {
                            writer.WriteString(columns[i].Name, cells[i]);
                        }

                        writer.WriteEndObject();
                        await FlushIfFullAsync(writer, context).ConfigureAwait(false);
                    }

                    writer.WriteEndArray();
                    continue;
                }

                writer.WriteStartObject(outputs[o].Name);
                writer.WriteString("type", "table");
                writer.WriteStartObject("value");
                if (details)
                {
                    writer.WriteStartArray("ColumnNames");
                    foreach (var column in columns)
                    {
                        writer.WriteStringValue(column.Name);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("ColumnTypes");
                    foreach (var column in columns)
                    {
                        writer.WriteStringValue(column.Type);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteStartArray("Values");
                foreach (var row in scored)
                {
                    writer.WriteStartArray();
                    foreach (var cell in row[o])
                    {
                        writer.WriteStringValue(cell);
                    }

                    writer.WriteEndArray();
                    await FlushIfFullAsync(writer, context).ConfigureAwait(false);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async ValueTask FlushIfFullAsync(Utf8JsonWriter writer, HttpContext context)
    {
        if (writer.BytesPending > 16 * 1024)
        {
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }
}
