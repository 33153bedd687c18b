using System.Net.Http.Headers;
using System.Text.Json;
using AzureMl.Client.Batch;
using AzureMl.Client.Internal;

namespace AzureMl.Client;

public sealed partial class AzureMlClient
{
    private const int MaxJobIdBodyChars = 1024;
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    /// <inheritdoc />
    public async Task<string> SubmitJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.ThrowIfInvalid(nameof(request));
        const AzureMlOperation operation = AzureMlOperation.SubmitJob;

        var body = JsonSerializer.SerializeToUtf8Bytes(request.ToBody(), BatchJsonContext.Default.BatchJobBody);
        using var message = CreateRequest(HttpMethod.Post, operation, "jobs");
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = JsonContentType;
        using var response = await SendAsync(message, operation, null, cancellationToken).ConfigureAwait(false);

        byte[] bytes;
        try
        {
            // Bytes, not text: the id is JSON (UTF-8 whatever the charset says), and the body is already in memory.
            bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw ErrorResponseReader.MalformedSuccess(response, operation, "the connection broke while the job id was read", ex);
        }

        var jobId = ParseJobId(bytes);
        var problem = jobId is null ? "it was empty or not a JSON string" : Guard.PathSegmentProblem(jobId);
        if (problem is not null)
        {
            // The job probably exists, but an id that could rewrite a URL is never used in one.
            throw ErrorResponseReader.MalformedSuccess(response, operation, $"the job id it returned is unusable: the id {problem}", null);
        }

        return jobId!;
    }

    /// <inheritdoc />
    public async Task StartJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        Guard.PathSegment(jobId, nameof(jobId));
        const AzureMlOperation operation = AzureMlOperation.StartJob;
        using var message = CreateRequest(HttpMethod.Post, operation, "jobs/" + jobId + "/start");
        using var response = await SendAsync(message, operation, jobId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        Guard.PathSegment(jobId, nameof(jobId));
        const AzureMlOperation operation = AzureMlOperation.DeleteJob;
        using var message = CreateRequest(HttpMethod.Delete, operation, "jobs/" + jobId);
        try
        {
            using var response = await SendAsync(message, operation, jobId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AzureMlException ex) when (BatchCleanup.IsJobGone(ex))
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<BatchJobOperation> SubmitAndStartJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
    {
        var jobId = await SubmitJobAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await StartJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AzureMlException { IsOutcomeUnknown: false } or OperationCanceledException)
        {
            // The start surely did not happen (or was abandoned before it was sent): remove the job rather than leave an orphan.
            var failure = await BatchCleanup.TryDeleteJobAsync(this, jobId, TimeProvider).ConfigureAwait(false);
            var thrown = ExceptionNotes.Append(ex, failure is null
                ? $" Batch job {jobId} was deleted."
                : $" Batch job {jobId} could not be deleted ({failure}); delete it with DeleteJobAsync(\"{jobId}\").");
            if (ReferenceEquals(thrown, ex))
            {
                throw;
            }

            throw thrown;
        }

        return new BatchJobOperation(this, jobId, null, TimeProvider, submittedHere: true);
    }

    /// <inheritdoc />
    public BatchJobOperation GetBatchJob(string jobId) => BatchJobOperation.Rehydrate(this, jobId, TimeProvider);

    /// <inheritdoc />
    public async Task<BatchJobStatus> GetJobStatusAsync(string jobId, CancellationToken cancellationToken = default)
    {
        Guard.PathSegment(jobId, nameof(jobId));
        const AzureMlOperation operation = AzureMlOperation.GetJobStatus;
        using var message = CreateRequest(HttpMethod.Get, operation, "jobs/" + jobId);
        using var response = await SendAsync(message, operation, jobId, cancellationToken).ConfigureAwait(false);
        var retryAfter = ErrorResponseReader.GetRetryAfter(response, TimeProvider);
        BatchJobStatusBody body;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                body = await JsonSerializer.DeserializeAsync(stream, BatchJsonContext.Default.BatchJobStatusBody, cancellationToken).ConfigureAwait(false)
                    ?? throw ErrorResponseReader.MalformedSuccess(response, operation, "the body was empty or null", null, jobId);
            }
        }
        catch (UnknownBatchJobStateException ex)
        {
            throw new AzureMlException(
                $"{operation} for job {jobId} failed: {ex.Message} The job itself is unaffected; a newer client version may know this state.",
                operation,
                (int)response.StatusCode,
                AzureMlErrorSource.Service,
                "UnknownJobState",
                null,
                ex)
            {
                JobId = jobId,
                RequestId = ErrorResponseReader.GetRequestId(response),
            };
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
            throw ErrorResponseReader.MalformedSuccess(response, operation, $"invalid JSON{where}: {SecretRedactor.Redact(ex.Message)}", ex, jobId);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw ErrorResponseReader.MalformedSuccess(response, operation, $"the body is not valid JSON text: {SecretRedactor.Redact(ex.Message)}", ex, jobId);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw ErrorResponseReader.MalformedSuccess(response, operation, "the connection broke while the body was read", ex, jobId);
        }

        var results = body.Results is null ? null : body.Results.Where(r => r.Value is not null).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        return new BatchJobStatus(jobId, body.StatusCode, results, body.Details) { RetryAfter = retryAfter };
    }

    private static string? ParseJobId(ReadOnlySpan<byte> body)
    {
        var trimmed = body.Trim(" \t\r\n"u8);
        if (trimmed.StartsWith("\uFEFF"u8))
        {
            trimmed = trimmed[3..].Trim(" \t\r\n"u8);
        }

        if (trimmed.Length == 0 || trimmed.Length > MaxJobIdBodyChars || trimmed[0] != (byte)'"')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(trimmed, BatchJsonContext.Default.String);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
