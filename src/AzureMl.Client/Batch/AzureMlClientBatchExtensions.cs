using AzureMl.Client.Internal;

namespace AzureMl.Client.Batch;

/// <summary>
/// The one-call batch run on any <see cref="IAzureMlClient"/>: stage the input in blob storage, submit, start and wait
/// for the job, clean up. Built on the interface's job-lifecycle methods (<see cref="IAzureMlClient.SubmitJobAsync"/>,
/// <see cref="IAzureMlClient.StartJobAsync"/>, <see cref="IAzureMlClient.GetJobStatusAsync"/>,
/// <see cref="IAzureMlClient.DeleteJobAsync"/>), so a test double or a decorator of the interface runs it too.
/// </summary>
/// <remarks>
/// Waits and budgets are measured on the <see cref="TimeProvider"/> an <see cref="AzureMlClient"/> was built with; on
/// any other implementation, on <see cref="TimeProvider.System"/>. Input blobs kept while their job could still read
/// them are remembered per client instance.
/// </remarks>
public static class AzureMlClientBatchExtensions
{
    /// <summary>
    /// Runs a whole batch job in one call: uploads <paramref name="input"/> to a blob, submits and starts the job, waits
    /// for it, and returns its outputs as blob references you can download. Cleans up as <paramref name="options"/> say,
    /// trying failed deletes again until <see cref="BatchRunOptions.CleanupTimeout"/> is spent. Every result and every
    /// exception after argument checks carries a <see cref="BatchRunCleanup"/>: the job id and what became of the job and
    /// the input blob (<see cref="BatchJobResult.Cleanup"/>, <see cref="BatchRunCleanup.FromException"/>). Input blobs
    /// kept because their job could still read them are deleted once the job has ended (see
    /// <see cref="CleanUpKeptInputsAsync"/>), at the latest at the start of the next run on the same client.
    /// </summary>
    /// <param name="client">The client of the web service.</param>
    /// <param name="input">The input data (e.g. a CSV with a header row): <see cref="BatchJobInput.FromStream"/> or <see cref="BatchJobInput.FromFile"/>. Streamed, never buffered whole.</param>
    /// <param name="options">Where to stage the data and what to clean up.</param>
    /// <param name="progress">Receives upload bytes, submit, start and each status change.</param>
    /// <param name="cancellationToken">Stops the run; a created job is deleted when <see cref="BatchRunOptions.DeleteJobOnAbort"/> is set.</param>
    /// <returns>The finished job with its outputs, and <see cref="BatchJobResult.Cleanup"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="input"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
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
    public static Task<BatchJobResult> RunBatchJobAsync(
        this IAzureMlClient client,
        BatchJobInput input,
        BatchRunOptions options,
        IProgress<BatchJobProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        BatchRun.RunAsync(client, input, options, progress, cancellationToken);

    /// <summary>
    /// Deletes the input blobs that runs on this client instance kept because their job could still read them
    /// (<see cref="BatchInputBlobFate.KeptWhileJobMayRead"/>), for each job that has ended or is gone (asked through
    /// <see cref="IAzureMlClient.GetJobStatusAsync"/>); the others stay remembered. <see cref="RunBatchJobAsync"/> does
    /// the same at its start. Only this client instance remembers them: after a restart, use the
    /// <see cref="BatchRunCleanup"/> you stored.
    /// </summary>
    /// <param name="client">The client the runs were made on.</param>
    /// <param name="cancellationToken">Stops the cleanup; blobs not yet deleted stay remembered.</param>
    /// <returns>How many input blobs were deleted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<int> CleanUpKeptInputsAsync(this IAzureMlClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return BatchRunContext.For(client).KeptInputs.CleanUpAsync(client, cancellationToken);
    }
}
