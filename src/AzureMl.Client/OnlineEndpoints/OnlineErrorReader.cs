using System.Globalization;
using System.Text;
using System.Text.Json;
using AzureMl.Client.Gateway;
using AzureMl.Client.Internal;

namespace AzureMl.Client.OnlineEndpoints;

/// <summary>
/// Turns a failed online endpoint answer into an <see cref="AzureMlException"/>: who answered (the API Management
/// gateway, the endpoint, or the model behind it), the model's status and reason on 424, the container's message and
/// the endpoint's request id.
/// </summary>
internal static class OnlineErrorReader
{
    private const string ModelStatusHeader = "ms-azureml-model-error-statuscode";
    private const string ModelReasonHeader = "ms-azureml-model-error-reason";

    public static async Task<AzureMlException> ReadAsync(HttpResponseMessage response, AzureMlOperation operation, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        using var pooled = await AnswerBody.TakeErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var body = pooled.Memory;
        var requestId = ErrorResponseReader.GetRequestId(response);
        var retryAfter = ErrorResponseReader.GetRetryAfter(response, timeProvider);
        var (shape, code, _, gatewayMessage) = ErrorResponseReader.Parse(body);

        AzureMlErrorSource source;
        string? message;
        int? modelStatus = null;
        string? modelReason = null;
        if (shape == AzureMlErrorSource.Gateway || (status == 401 && SubscriptionKeyHandler.HasGatewayChallenge(response)))
        {
            source = AzureMlErrorSource.Gateway;
            message = gatewayMessage;
        }
        else if (status == 424)
        {
            source = AzureMlErrorSource.Model;
            modelStatus = Header(response, ModelStatusHeader) is { } s && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            modelReason = Header(response, ModelReasonHeader);
            message = ContainerMessage(body);
        }
        else
        {
            source = AzureMlErrorSource.Endpoint;
            message = shape == AzureMlErrorSource.Service ? gatewayMessage : ContainerMessage(body);
        }

        var text = new StringBuilder().Append(operation).Append(" failed: ").Append(source switch
        {
            AzureMlErrorSource.Gateway => "the API Management gateway",
            AzureMlErrorSource.Model => "the model behind the endpoint",
            _ => "the online endpoint",
        }).Append(" answered ").Append(status).Append('.');
        if (modelStatus is { } ms)
        {
            text.Append(" The model's container answered ").Append(ms);
            text.Append(modelReason is null ? "." : $" ({modelReason}).");
        }

        if (!string.IsNullOrWhiteSpace(message))
        {
            text.Append(' ').Append(message.Trim());
            if (!message.TrimEnd().EndsWith('.'))
            {
                text.Append('.');
            }
        }

        text.Append(' ').Append(Hint(status, source, modelStatus));
        if (retryAfter is { } wait)
        {
            text.Append(" The server asked to wait ").Append(wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append(" s.");
        }

        if (requestId is not null)
        {
            text.Append(" Request id: ").Append(requestId).Append('.');
        }

        return new AzureMlException(SecretRedactor.Redact(text.ToString().TrimEnd()), operation, status, source, source == AzureMlErrorSource.Service ? code : null)
        {
            RequestId = requestId,
            RetryAfter = retryAfter,
            ServerMessage = message is null ? null : SecretRedactor.Redact(message),
            ModelStatus = modelStatus,
            ModelErrorReason = modelReason,
        };
    }

    private static string Hint(int status, AzureMlErrorSource source, int? modelStatus) => (status, source) switch
    {
        (401, AzureMlErrorSource.Gateway) => "Check the API Management subscription key.",
        (401, _) => "Check the endpoint's key or token (OnlineEndpointOptions.PrimaryKey, or the credential).",
        (403, AzureMlErrorSource.Gateway) => "The subscription's call quota is used up; it is not retried automatically.",
        (403, _) => "The identity lacks the endpoint's score permission (Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action).",
        (404, _) => "Check ScoringUri, and that a deployment of the endpoint has traffic (or name one with OnlineEndpointOptions.Deployment).",
        (408, _) => "The model took longer than the endpoint's request_timeout_ms: send fewer rows per call or raise the timeout.",
        (424, _) when modelStatus is >= 400 and < 500 => "The model refused the input: check the columns and types the deployment expects.",
        (424, _) => "The model failed: see the deployment's logs.",
        (429, _) => "The endpoint is throttling: lower concurrency (an instance serves max_concurrent_requests_per_instance calls at once).",
        _ => string.Empty,
    };

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() is { Length: > 0 and <= 200 } v && !Guard.HasLineBreakOrControl(v) ? v : null : null;

    /// <summary>The container's <c>{"message": "…"}</c>, or a short plain-text body; HTML is not quoted.</summary>
    private static string? ContainerMessage(ReadOnlyMemory<byte> body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Name.Equals("message", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                    {
                        return p.Value.GetString();
                    }
                }
            }

            return doc.RootElement.ValueKind == JsonValueKind.String ? doc.RootElement.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            var text = Encoding.UTF8.GetString(body.Span).Trim();
            if (text.Contains('<', StringComparison.Ordinal) && text.Contains('>', StringComparison.Ordinal))
            {
                return "The body was HTML, not an endpoint error (a proxy or load balancer may have answered)";
            }

            text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            return text.Length > 300 ? text[..300] + "…" : text;
        }
    }
}
