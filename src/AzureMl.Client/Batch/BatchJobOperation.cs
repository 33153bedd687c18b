using System.Diagnostics;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Batch;

/// <summary>
/// A running (or finished) batch job: poll it, wait for it, or cancel it. Get one from
/// <see cref="IAzureMlClient.SubmitAndStartJobAsync"/>, or pick up a job by id with <see cref="IAzureMlClient.GetBatchJob"/>
/// or <see cref="Rehydrate(IAzureMlClient, string)"/> — in another process too. Not thread-safe: use one instance from one flow at a time.
/// </summary>
[DebuggerDisplay("BatchJobOperation {Id}, {Status?.State}")]
public sealed class BatchJobOperation
{
    private readonly IAzureMlClient _client;
    private readonly TimeProvider _timeProvider;

    // Job duration is recorded only for jobs this process submitted: a rehydrated job's start is unknown.
    private readonly long? _submittedAt;

    internal BatchJobOperation(IAzureMlClient client, string id, BatchJobStatus? status, TimeProvider timeProvider, bool submittedHere = false)
    {
        _client = client;
        Id = id;
        Status = status;
        _timeProvider = timeProvider;
        _submittedAt = submittedHere ? _timeProvider.GetTimestamp() : null;
    }

    /// <summary>The job id. Store it to pick the job up later with <see cref="Rehydrate(IAzureMlClient, string)"/>.</summary>
    public string Id { get; }

    /// <summary>The last status read from the service, or <see langword="null"/> before the first read.</summary>
    public BatchJobStatus? Status { get; private set; }

    /// <summary>Whether the job has ended (finished, failed or cancelled), as of the last status read.</summary>
    public bool HasCompleted => Status?.IsCompleted == true;

    /// <summary>The final status.</summary>
    /// <exception cref="InvalidOperationException">The job has not ended (as of the last status read).</exception>
    public BatchJobStatus Value => HasCompleted
        ? Status!
        : throw new InvalidOperationException($"Batch job {Id} has not completed; call WaitForCompletionAsync or UpdateStatusAsync first.");

    /// <summary>Picks up an existing job by id. No call is made until you update or wait.</summary>
    /// <param name="client">The client for the web service that runs the job.</param>
    /// <param name="jobId">The job id.</param>
    /// <returns>The operation.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or contains characters that would change the URL.</exception>
    /// <remarks>
    /// Waits between polls on <see cref="TimeProvider.System"/>: <see cref="IAzureMlClient.GetBatchJob"/> on an
    /// <see cref="AzureMlClient"/> uses the client's own clock, and <see cref="Rehydrate(IAzureMlClient, string, TimeProvider?)"/> takes one.
    /// </remarks>
    public static BatchJobOperation Rehydrate(IAzureMlClient client, string jobId) => Rehydrate(client, jobId, null);

    /// <summary>Picks up an existing job by id, waiting between polls on <paramref name="timeProvider"/>.</summary>
    /// <param name="client">The client for the web service that runs the job.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="timeProvider">The clock for waits between polls and for the job's duration; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <returns>The operation.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or contains characters that would change the URL.</exception>
    public static BatchJobOperation Rehydrate(IAzureMlClient client, string jobId, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        Guard.PathSegment(jobId, nameof(jobId));
        return new BatchJobOperation(client, jobId, null, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Reads the job's status once.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The current status, also kept in <see cref="Status"/>.</returns>
    /// <exception cref="AzureMlException">The call failed.</exception>
    public async Task<BatchJobStatus> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        var (status, _) = await PollAsync(cancellationToken).ConfigureAwait(false);
        return status;
    }

    /// <summary>Waits with the default polling until the job ends.</summary>
    /// <param name="cancellationToken">Stops the waiting only; the job keeps running (cancel it with <see cref="CancelAsync"/>).</param>
    /// <returns>The final status; check <see cref="BatchJobStatus.State"/> or call <see cref="BatchJobStatus.EnsureSucceeded"/>.</returns>
    /// <exception cref="AzureMlException">A status call failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<BatchJobStatus> WaitForCompletionAsync(CancellationToken cancellationToken) =>
        WaitForCompletionAsync(null, cancellationToken);

    /// <summary>Waits until the job ends, polling as <paramref name="polling"/> says.</summary>
    /// <param name="polling">The polling strategy, or <see langword="null"/> for the defaults of <see cref="BatchPollingOptions"/>.</param>
    /// <param name="cancellationToken">Stops the waiting only; the job keeps running (cancel it with <see cref="CancelAsync"/>).</param>
    /// <returns>The final status; check <see cref="BatchJobStatus.State"/> or call <see cref="BatchJobStatus.EnsureSucceeded"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="polling"/> is invalid.</exception>
    /// <exception cref="AzureMlException">A status call failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<BatchJobStatus> WaitForCompletionAsync(BatchPollingOptions? polling = null, CancellationToken cancellationToken = default) =>
        WaitCoreAsync(polling, null, cancellationToken);

    /// <summary>Cancels the job by deleting it (<c>DELETE {service}/jobs/{id}</c>). A job that is already gone is not an error.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the service deleted the job; <see langword="false"/> when it was already gone.</returns>
    /// <exception cref="AzureMlException">The call failed.</exception>
    public Task<bool> CancelAsync(CancellationToken cancellationToken = default) => _client.DeleteJobAsync(Id, cancellationToken);

    internal async Task<BatchJobStatus> WaitCoreAsync(BatchPollingOptions? polling, Action<BatchJobStatus>? onStatusChanged, CancellationToken cancellationToken)
    {
        polling ??= BatchPollingOptions.Default;
        polling.ThrowIfInvalid(nameof(polling));
        if (HasCompleted)
        {
            return Status!;
        }

        var delay = polling.InitialDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan? retryAfter;
            try
            {
                var previous = Status?.State;
                (var status, retryAfter) = await PollAsync(cancellationToken).ConfigureAwait(false);
                if (previous != status.State)
                {
                    onStatusChanged?.Invoke(status);
                }

                if (status.IsCompleted)
                {
                    return status;
                }
            }
            catch (AzureMlException ex) when (ex.IsThrottling && polling.ContinueOnThrottling)
            {
                retryAfter = ex.RetryAfter;
            }

            var wait = polling.HonorRetryAfter && retryAfter is { } serverWait && serverWait > TimeSpan.Zero ? serverWait : delay;
            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
            delay = polling.Next(delay);
        }
    }

    private async Task<(BatchJobStatus Status, TimeSpan? RetryAfter)> PollAsync(CancellationToken cancellationToken)
    {
        // The public method, whatever the client: a fake or a decorator of IAzureMlClient takes the same path.
        var status = await _client.GetJobStatusAsync(Id, cancellationToken).ConfigureAwait(false);
        var retryAfter = status.RetryAfter;

        var wasCompleted = HasCompleted;
        Status = status;
        if (!wasCompleted && status.IsCompleted && _submittedAt is { } submittedAt)
        {
            Telemetry.AzureMlTelemetry.JobCompleted(_timeProvider.GetElapsedTime(submittedAt), status.State.ToString(), _client.ServiceUri.Segments[^1].TrimEnd('/'));
        }

        return (status, retryAfter);
    }
}
