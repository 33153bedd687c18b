using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AzureMl.Client.Batch;

/// <summary>Reads <see cref="BatchJobState"/> from a name (any case) or an integer 0–4; writes the name.</summary>
internal sealed class BatchJobStateConverter : JsonConverter<BatchJobState>
{
    public const string Expected = "NotStarted, Running, Failed, Cancelled or Finished (or 0-4)";

    public override BatchJobState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (TryParse(text, out var state))
                {
                    return state;
                }

                throw new UnknownBatchJobStateException(Describe(text));
            case JsonTokenType.Number:
                if (reader.TryGetInt32(out var number) && number is >= 0 and <= 4)
                {
                    return (BatchJobState)number;
                }

                throw new UnknownBatchJobStateException(Describe(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)));
            case JsonTokenType.Null:
                throw new UnknownBatchJobStateException("StatusCode was null; expected " + Expected + ".");
            default:
                throw new UnknownBatchJobStateException($"StatusCode was a JSON {reader.TokenType}; expected {Expected}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, BatchJobState value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());

    internal static bool TryParse(string text, out BatchJobState state)
    {
        var trimmed = text.Trim();
        switch (trimmed.ToUpperInvariant())
        {
            case "NOTSTARTED": state = BatchJobState.NotStarted; return true;
            case "RUNNING": state = BatchJobState.Running; return true;
            case "FAILED": state = BatchJobState.Failed; return true;
            case "CANCELLED": state = BatchJobState.Cancelled; return true;
            case "FINISHED": state = BatchJobState.Finished; return true;
        }

        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 4)
        {
            state = (BatchJobState)n;
            return true;
        }

        state = default;
        return false;
    }

    private static string Describe(string value)
    {
        var shown = value.Length > 40 ? value[..40] + "…" : value;
        return $"the service reported job state '{shown}', which this client does not know; expected {Expected}.";
    }
}

/// <summary>Raised while reading a status body whose <c>StatusCode</c> is not a known state.</summary>
internal sealed class UnknownBatchJobStateException : JsonException
{
    public UnknownBatchJobStateException(string message)
        : base(message)
    {
    }

    public UnknownBatchJobStateException()
    {
    }

    public UnknownBatchJobStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
