using AzureMl.Client.Batch;

namespace AzureMl.Client;

/// <summary>
/// Batch Execution Service (BES): the job lifecycle of asynchronous jobs over blob storage. The one-call run that stages
/// the input and cleans up is built on these members: <see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>.
/// </summary>
public partial interface IAzureMlClient
{
    /// <summary>
    /// Submits a batch job (<c>POST {service}/jobs</c>). The job is registered as <see cref="BatchJobState.NotStarted"/>;
    /// call <see cref="StartJobAsync"/> to run it. Never re-sent automatically: each call creates a job.
    /// </summary>
    /// <param name="request">The inputs, outputs and parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new job id.</returns>
    /// <exception cref="ArgumentException"><paramref name="request"/> is incomplete or has both <c>Input</c> and <c>Inputs</c>.</exception>
    /// <exception cref="AzureMlException">
    /// The call failed. When <see cref="AzureMlException.IsOutcomeUnknown"/> is set, a job may exist although no id came back.
    /// </exception>
    Task<string> SubmitJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts a submitted job (<c>POST {service}/jobs/{jobId}/start</c>). Never re-sent automatically.</summary>
    /// <param name="jobId">The job id from <see cref="SubmitJobAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the start.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or contains characters that would change the URL.</exception>
    /// <exception cref="AzureMlException">The call failed; <see cref="AzureMlException.IsOutcomeUnknown"/> when the job may have started anyway.</exception>
    Task StartJobAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Reads a job's status (<c>GET {service}/jobs/{jobId}</c>). Safe to retry.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job's current status.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or contains characters that would change the URL.</exception>
    /// <exception cref="AzureMlException">The call failed, or the service reported a state this client does not know.</exception>
    Task<BatchJobStatus> GetJobStatusAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a job (<c>DELETE {service}/jobs/{jobId}</c>); a running job is cancelled. Idempotent: a job the service no
    /// longer knows (404 for the job) counts as already gone.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the service deleted the job; <see langword="false"/> when it was already gone.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or contains characters that would change the URL.</exception>
    /// <exception cref="AzureMlException">The call failed (including a 404 for the web service itself).</exception>
    Task<bool> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Submits and starts a job, and returns the operation that tracks it.</summary>
    /// <param name="request">The inputs, outputs and parameters.</param>
    /// <param name="cancellationToken">Cancels the calls (not the job once started).</param>
    /// <returns>The operation for the started job.</returns>
    /// <exception cref="ArgumentException"><paramref name="request"/> is invalid.</exception>
    /// <exception cref="AzureMlException">
    /// Submit or start failed. When start fails the submitted job is deleted if it surely did not start (tried again with
    /// backoff for up to 30 seconds), and the message says whether that worked; <see cref="AzureMlException.JobId"/> names the job either way.
    /// </exception>
    Task<BatchJobOperation> SubmitAndStartJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default);

    /// <summary>Picks up an existing job by id (from this or another process) to poll, wait for or cancel it.</summary>
    /// <param name="jobId">The job id.</param>
    /// <returns>The operation; no call is made until you update or wait.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or contains characters that would change the URL.</exception>
    BatchJobOperation GetBatchJob(string jobId);
}
