namespace AzureMl.Client.Batch;

/// <summary>
/// A one-call batch run (<see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>) was cancelled. An
/// <see cref="OperationCanceledException"/>, so existing cancellation handling still applies; it also says which job the
/// run created (<see cref="JobId"/>) and what became of the job and the input blob (<see cref="Cleanup"/>).
/// </summary>
public sealed class BatchRunCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception. Used by the client, and by tests of code that handles it.</summary>
    /// <param name="message">What happened to the job and the input blob.</param>
    /// <param name="cleanup">What the run created and what became of it.</param>
    /// <param name="innerException">The cancellation that stopped the run, if any.</param>
    /// <param name="cancellationToken">The token that was cancelled.</param>
    public BatchRunCanceledException(string message, BatchRunCleanup cleanup, Exception? innerException = null, CancellationToken cancellationToken = default)
        : base(message, innerException, cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        Cleanup = cleanup;
        Data[BatchRunCleanup.DataKey] = cleanup;
    }

    /// <summary>The job the run created, or <see langword="null"/> when it was cancelled before a job id came back.</summary>
    public string? JobId => Cleanup.JobId;

    /// <summary>What the run created and what became of it.</summary>
    public BatchRunCleanup Cleanup { get; }
}
