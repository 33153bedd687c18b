using System.Net;
using System.Text;

namespace AzureMl.Client;

/// <summary>
/// A call to the web service (or the gateway in front of it) failed. Carries what the server said:
/// the HTTP status, the error class and detail codes, the request id, who answered, and how long the
/// server asked to wait. The message never contains keys or SAS signatures.
/// </summary>
public sealed class AzureMlException : Exception
{
    private readonly string? _jobId;
    private string? _note;

    /// <summary>Creates an exception. Used by the client and by tests of code that handles it.</summary>
    /// <param name="message">What happened and what to change.</param>
    /// <param name="operation">The operation that failed.</param>
    /// <param name="status">The HTTP status; 0 when no answer was received.</param>
    /// <param name="source">Who produced the answer.</param>
    /// <param name="errorCode">The error class, e.g. <c>BadArgument</c>.</param>
    /// <param name="details">The detail entries.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public AzureMlException(
        string message,
        AzureMlOperation operation,
        int status,
        AzureMlErrorSource source,
        string? errorCode = null,
        IReadOnlyList<AzureMlErrorDetail>? details = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Operation = operation;
        Status = status;
        ErrorSource = source;
        ErrorCode = errorCode;
        Details = details ?? [];
    }

    /// <summary>The operation that failed.</summary>
    public AzureMlOperation Operation { get; }

    /// <summary>The HTTP status code, or 0 when no answer was received.</summary>
    public int Status { get; }

    /// <summary>The HTTP status as <see cref="HttpStatusCode"/>.</summary>
    public HttpStatusCode StatusCode => (HttpStatusCode)Status;

    /// <summary>Who produced the answer: the service, the gateway, or neither.</summary>
    public AzureMlErrorSource ErrorSource { get; }

    /// <summary>The error class (<c>error.code</c>), e.g. <c>BadArgument</c>; <see langword="null"/> when the body had none.</summary>
    public string? ErrorCode { get; }

    /// <summary>The detail entries (<c>error.details</c>); empty when the body had none.</summary>
    public IReadOnlyList<AzureMlErrorDetail> Details { get; }

    /// <summary>The first detail code, e.g. <c>BlobNotFound</c>; <see langword="null"/> when there is none.</summary>
    public string? DetailCode => Details.Count > 0 ? Details[0].Code : null;

    /// <summary>The request id the server returned in a header, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>How long the server asked to wait before trying again (<c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The server's own message (service <c>error.message</c> or gateway <c>message</c>), redacted of secrets.</summary>
    public string? ServerMessage { get; init; }

    /// <summary>
    /// <see langword="true"/> when the request may have reached the service and its outcome is unknown: a job may
    /// have been created or started. Check with the job id (when known) instead of sending it again.
    /// </summary>
    public bool IsOutcomeUnknown { get; init; }

    /// <summary>The batch job the failure concerns, when known (for a one-call run, the run's job).</summary>
    public string? JobId
    {
        get => _jobId ?? BatchRunCleanup?.JobId;
        init => _jobId = value;
    }

    /// <summary>
    /// When <see cref="Batch.AzureMlClientBatchExtensions.RunBatchJobAsync"/> threw this exception: the job and input blob the run created and
    /// what became of them; otherwise <see langword="null"/>.
    /// </summary>
    public Batch.BatchRunCleanup? BatchRunCleanup => Batch.BatchRunCleanup.Own(this);

    /// <inheritdoc />
    public override string Message => _note is null ? base.Message : base.Message + _note;

    /// <summary>
    /// On an online endpoint's 424: the status the model's scoring container answered
    /// (<c>ms-azureml-model-error-statuscode</c>), e.g. 400 for input it rejected, 500 for a failing script.
    /// </summary>
    public int? ModelStatus { get; init; }

    /// <summary>On an online endpoint's 424: the reason the endpoint gave (<c>ms-azureml-model-error-reason</c>, e.g. <c>model_error</c>).</summary>
    public string? ModelErrorReason { get; init; }

    /// <summary>
    /// <see langword="true"/> for answers that mean "slow down": 503 from the service, 429 from the gateway.
    /// A 403 quota answer is not: it needs a new quota period or a new key.
    /// </summary>
    public bool IsThrottling => Status is 429 or 503;

    /// <summary>Appends <paramref name="note"/> to the message; every other property stays. Use <see cref="ExceptionNotes.Append"/>.</summary>
    internal void AppendNote(string note) => _note += note;

    /// <summary>Builds the standard message: what failed, what the server said, and a hint on what to change.</summary>
    internal static string FormatMessage(
        AzureMlOperation operation,
        string? jobId,
        int status,
        AzureMlErrorSource source,
        string? errorCode,
        IReadOnlyList<AzureMlErrorDetail> details,
        string? serverMessage,
        string? requestId,
        TimeSpan? retryAfter)
    {
        var sb = new StringBuilder();
        sb.Append(Subject(operation, jobId)).Append(" failed: ");
        sb.Append(source switch
        {
            AzureMlErrorSource.Service => "the service",
            AzureMlErrorSource.Gateway => "the API Management gateway",
            _ => "the server",
        });
        sb.Append(" answered ").Append(status).Append(' ').Append(ReasonPhrase(status));
        if (errorCode is not null)
        {
            sb.Append(" (").Append(errorCode);
            foreach (var d in details)
            {
                if (d.Code is not null)
                {
                    sb.Append('/').Append(d.Code);
                }
            }

            sb.Append(')');
        }

        sb.Append('.');
        if (!string.IsNullOrWhiteSpace(serverMessage))
        {
            sb.Append(' ').Append(serverMessage.Trim());
            if (!serverMessage.TrimEnd().EndsWith('.'))
            {
                sb.Append('.');
            }
        }

        foreach (var d in details)
        {
            if (!string.IsNullOrWhiteSpace(d.Message))
            {
                sb.Append(' ');
                if (!string.IsNullOrEmpty(d.Target))
                {
                    sb.Append(d.Target).Append(": ");
                }

                sb.Append(d.Message.Trim());
            }
        }

        var hint = Hint(operation, status, source);
        if (hint is not null)
        {
            sb.Append(' ').Append(hint);
        }

        if (retryAfter is { } wait)
        {
            sb.Append(" The server asked to wait ").Append(wait.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).Append(" s.");
        }

        if (!operation.IsIdempotent() && status is 500 or 502 or 504 or 408)
        {
            sb.Append(operation == AzureMlOperation.SubmitJob
                ? " The request may have reached the service, so a job may exist: it was not sent again, to avoid a duplicate job."
                : " The request may have reached the service, so the job may have started: it was not sent again.");
            if (jobId is not null)
            {
                sb.Append(" Check job ").Append(jobId).Append(" with GetJobStatusAsync.");
            }
        }

        if (requestId is not null)
        {
            sb.Append(" Request id: ").Append(requestId).Append('.');
        }

        return Internal.SecretRedactor.Redact(sb.ToString());
    }

    /// <summary>"StartJob for job 1234" or "Execute": what failed, naming the job when there is one.</summary>
    internal static string Subject(AzureMlOperation operation, string? jobId) =>
        jobId is null ? operation.ToString() : $"{operation} for job {jobId}";

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => string.Empty,
    };

    private static string? Hint(AzureMlOperation operation, int status, AzureMlErrorSource source) => (status, source) switch
    {
        (408, _) or (504, _) when operation != AzureMlOperation.Execute => "The service or gateway did not answer in time.",
        (401, AzureMlErrorSource.Gateway) => "Check the API Management subscription key.",
        (401, _) => "Check the web service API key (AzureMlClientOptions.ApiKey).",
        (403, AzureMlErrorSource.Gateway) => "The subscription's call quota is used up; it is not retried automatically.",
        (404, _) => "Check Endpoint, WorkspaceId/SubscriptionId and ServiceId.",
        (408, _) or (504, _) => "The scoring took too long; use a batch job (BES) for long work.",
        (413, _) => "Send fewer rows per call.",
        (429, _) or (503, _) => "The service is throttling; slow down or lower concurrency.",
        _ => null,
    };
}
