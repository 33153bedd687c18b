using AzureMl.Client.Batch;

namespace AzureMl.Client;

/// <summary>Batch Execution Service (BES): asynchronous jobs over blob storage.</summary>
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

    /// <summary>
    /// Runs a whole batch job in one call: uploads <paramref name="input"/> to a blob, submits and starts the job, waits
    /// for it, and returns its outputs as blob references you can download. Cleans up as <paramref name="options"/> say,
    /// trying failed deletes again until <see cref="BatchRunOptions.CleanupTimeout"/> is spent. Every result and every
    /// exception after argument checks carries a <see cref="BatchRunCleanup"/>: the job id and what became of the job and
    /// the input blob (<see cref="BatchJobResult.Cleanup"/>, <see cref="BatchRunCleanup.FromException"/>). Input blobs
    /// kept because their job could still read them are deleted by this client once the job has ended (see
    /// <see cref="CleanUpKeptInputsAsync"/>), at the latest at the start of its next run.
    /// </summary>
    /// <param name="input">The input data (e.g. a CSV with a header row): <see cref="BatchJobInput.FromStream"/> or <see cref="BatchJobInput.FromFile"/>. Streamed, never buffered whole.</param>
    /// <param name="options">Where to stage the data and what to clean up.</param>
    /// <param name="progress">Receives upload bytes, submit, start and each status change.</param>
    /// <param name="cancellationToken">Stops the run; a created job is deleted when <see cref="BatchRunOptions.DeleteJobOnAbort"/> is set.</param>
    /// <returns>The finished job with its outputs, and <see cref="BatchJobResult.Cleanup"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> are incomplete; the message says what to set.</exception>
    /// <exception cref="FileNotFoundException">The input file does not exist.</exception>
    /// <exception cref="BatchJobFailedException">The job failed (with the service's details) or was cancelled; <see cref="BatchJobFailedException.BatchRunCleanup"/> says what was cleaned up.</exception>
    /// <exception cref="AzureMlException">
    /// A call to the service failed; the message says what happened to the job and the input blob, and
    /// <see cref="AzureMlException.BatchRunCleanup"/> says it as properties.
    /// </exception>
    /// <exception cref="BatchRunCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled (an <see cref="OperationCanceledException"/>); <see cref="BatchRunCanceledException.JobId"/>
    /// and <see cref="BatchRunCanceledException.Cleanup"/> say which job was created and what became of it.
    /// </exception>
    /// <exception cref="Azure.RequestFailedException">
    /// Blob storage refused the upload; the message says what happened to the input blob. Any other failure (e.g. reading
    /// <paramref name="input"/>) is thrown as it is; <see cref="BatchRunCleanup.FromException"/> still reads its cleanup record.
    /// </exception>
    Task<BatchJobResult> RunBatchJobAsync(BatchJobInput input, BatchRunOptions options, IProgress<BatchJobProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the input blobs that runs on this client kept because their job could still read them
    /// (<see cref="BatchInputBlobFate.KeptWhileJobMayRead"/>), for each job that has ended or is gone; the others stay
    /// remembered. <see cref="RunBatchJobAsync"/> does the same at its start. Only this client instance remembers them:
    /// after a restart, use the <see cref="BatchRunCleanup"/> you stored.
    /// </summary>
    /// <param name="cancellationToken">Stops the cleanup; blobs not yet deleted stay remembered.</param>
    /// <returns>How many input blobs were deleted.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<int> CleanUpKeptInputsAsync(CancellationToken cancellationToken = default);
}
