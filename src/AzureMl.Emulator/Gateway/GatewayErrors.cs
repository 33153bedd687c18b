using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>Writes the gateway's own error body: <c>{"statusCode":…,"message":…}</c>.</summary>
internal static class GatewayErrors
{
    public static async Task WriteAsync(HttpResponse response, int status, string message, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteNumber("statusCode", status);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
