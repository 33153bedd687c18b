using System.Diagnostics;

using AzureMl.Client.Internal;

namespace AzureMl.Client.Batch;

/// <summary>
/// A snapshot of a batch job: its state, the outputs once it has finished, and the error text when it failed.
/// Immutable. <see cref="ToString"/> shows SAS signatures redacted.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class BatchJobStatus
{
    private static readonly IReadOnlyDictionary<string, BatchBlobReference> NoResults = new Dictionary<string, BatchBlobReference>();

    /// <summary>Creates a status. Used by the client, and by tests that fake a service.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="state">The job state.</param>
    /// <param name="results">Output name → blob, when the job has finished.</param>
    /// <param name="details">The error text, when the job failed.</param>
    public BatchJobStatus(string jobId, BatchJobState state, IReadOnlyDictionary<string, BatchBlobReference>? results = null, string? details = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        JobId = jobId;
        State = state;
        Results = results is null ? NoResults : new Dictionary<string, BatchBlobReference>(results, StringComparer.Ordinal);
        Details = details;
    }

    /// <summary>The job id.</summary>
    public string JobId { get; }

    /// <summary>The job state.</summary>
    public BatchJobState State { get; }

    /// <summary>
    /// Output name (e.g. <c>output1</c>) → the blob the service wrote, with a read-only SAS when the service
    /// returned one. Empty until the job has <see cref="BatchJobState.Finished"/>.
    /// </summary>
    public IReadOnlyDictionary<string, BatchBlobReference> Results { get; }

    /// <summary>The service's error text when the job <see cref="BatchJobState.Failed"/>; otherwise usually <see langword="null"/>.</summary>
    public string? Details { get; }

    /// <summary>
    /// How long the service asked to wait before the next status read (<c>Retry-After</c> on this answer), if it
    /// said; <see cref="BatchJobOperation"/> waits that long when <see cref="BatchPollingOptions.HonorRetryAfter"/> is on.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether the job has ended (finished, failed or cancelled).</summary>
    public bool IsCompleted => State.IsTerminal();

    /// <summary>
    /// Throws when the job ended without success: <see cref="BatchJobFailedException"/> with <see cref="Details"/> when it
    /// failed or was cancelled (see <see cref="BatchJobFailedException.State"/>). Does nothing for a finished job.
    /// </summary>
    /// <returns>This status, for chaining.</returns>
    /// <exception cref="BatchJobFailedException">The job failed or was cancelled.</exception>
    /// <exception cref="InvalidOperationException">The job has not ended yet.</exception>
    public BatchJobStatus EnsureSucceeded()
    {
        switch (State)
        {
            case BatchJobState.Finished:
                return this;
            case BatchJobState.Failed:
            case BatchJobState.Cancelled:
                throw new BatchJobFailedException(JobId, State, Details);
            default:
                throw new InvalidOperationException($"Batch job {JobId} has not ended yet (state {State}); wait for completion first.");
        }
    }

    /// <summary>Describes the status; SAS signatures and account keys are redacted.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString()
    {
        var text = $"BatchJobStatus {{ JobId = {JobId}, State = {State}";
        if (Results.Count > 0)
        {
            text += ", Results = { " + string.Join(", ", Results.Select(r => r.Key + " = " + r.Value)) + " }";
        }

        if (Details is not null)
        {
            text += ", Details = " + SecretRedactor.Redact(Details);
        }

        return text + " }";
    }
}
