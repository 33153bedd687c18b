using System.Text;
using System.Text.Json;

namespace AzureMl.Client.Internal;

/// <summary>Turns a failed HTTP answer into an <see cref="AzureMlException"/>.</summary>
internal static class ErrorResponseReader
{
    private static readonly string[] RequestIdHeaders = ["x-ms-request-id", "request-id", "x-request-id", "apim-request-id", "x-ms-client-request-id"];

    public static async Task<AzureMlException> ReadAsync(
        HttpResponseMessage response,
        AzureMlOperation operation,
        TimeProvider timeProvider,
        string? jobId,
        CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        using var pooled = await AnswerBody.TakeErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var body = pooled.Memory;
        var (source, code, details, message) = Parse(body);
        if (source == AzureMlErrorSource.Unknown && body.Length > 0 && !LooksLikeJson(body))
        {
            message = Summarize(body);
        }

        var requestId = GetRequestId(response);
        var retryAfter = GetRetryAfter(response, timeProvider);
        var redactedMessage = message is null ? null : SecretRedactor.Redact(message);
        var redactedDetails = details.Select(d => d with { Message = d.Message is null ? null : SecretRedactor.Redact(d.Message) }).ToArray();
        var text = AzureMlException.FormatMessage(operation, jobId, status, source, code, redactedDetails, redactedMessage, requestId, retryAfter);
        return new AzureMlException(text, operation, status, source, code, redactedDetails)
        {
            RequestId = requestId,
            RetryAfter = retryAfter,
            ServerMessage = redactedMessage,
            JobId = jobId,
            IsOutcomeUnknown = !operation.IsIdempotent() && status is 500 or 502 or 504 or 408,
        };
    }

    public static AzureMlException MalformedSuccess(HttpResponseMessage response, AzureMlOperation operation, string what, Exception? inner, string? jobId = null)
    {
        var requestId = GetRequestId(response);
        var text = $"{AzureMlException.Subject(operation, jobId)} failed: the server answered {(int)response.StatusCode} but the body was not a valid {operation} response: {what}.";
        if (requestId is not null)
        {
            text += $" Request id: {requestId}.";
        }

        return new AzureMlException(SecretRedactor.Redact(text), operation, (int)response.StatusCode, AzureMlErrorSource.Unknown, "InvalidResponseBody", null, inner)
        {
            RequestId = requestId,
            JobId = jobId,
            IsOutcomeUnknown = !operation.IsIdempotent(),
        };
    }

    internal static string? GetRequestId(HttpResponseMessage response)
    {
        foreach (var name in RequestIdHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                var v = values.FirstOrDefault();
                if (!string.IsNullOrWhiteSpace(v) && v.Length <= 200 && !Guard.HasLineBreakOrControl(v))
                {
                    return v;
                }
            }
        }

        return null;
    }

    internal static TimeSpan? GetRetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var header = response.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    internal static (AzureMlErrorSource Source, string? Code, IReadOnlyList<AzureMlErrorDetail> Details, string? Message) Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty || !LooksLikeJson(body))
        {
            return (AzureMlErrorSource.Unknown, null, [], null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (AzureMlErrorSource.Unknown, null, [], null);
            }

            if (TryGetProperty(root, "error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var details = new List<AzureMlErrorDetail>();
                if (TryGetProperty(error, "details", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object)
                        {
                            details.Add(new AzureMlErrorDetail(GetString(item, "code"), GetString(item, "target"), GetString(item, "message")));
                        }
                    }
                }

                return (AzureMlErrorSource.Service, GetString(error, "code"), details, GetString(error, "message"));
            }

            if (TryGetProperty(root, "statusCode", out _))
            {
                return (AzureMlErrorSource.Gateway, null, [], GetString(root, "message"));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON after all (or text JSON cannot hold, such as a lone surrogate): reported as an unknown body.
        }

        return (AzureMlErrorSource.Unknown, null, [], null);
    }

    private static bool TryGetProperty(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A string member's value; <see langword="null"/> when absent, of another JSON type, or not valid text.</summary>
    private static string? GetString(JsonElement obj, string name)
    {
        if (!TryGetProperty(obj, name, out var v) || v.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return v.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone or reversed surrogate escape: no text to report.
            return null;
        }
    }

    private static bool LooksLikeJson(ReadOnlyMemory<byte> body)
    {
        foreach (var b in body.Span)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            return b is (byte)'{' or (byte)'[';
        }

        return false;
    }

    private static string Summarize(ReadOnlyMemory<byte> body)
    {
        var text = Encoding.UTF8.GetString(body.Span);
        if (text.Contains('<', StringComparison.Ordinal) && text.Contains('>', StringComparison.Ordinal))
        {
            return "The body was HTML, not a service error (a proxy or load balancer may have answered)";
        }

        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
