namespace AzureMl.Client.Batch;

/// <summary>What became of the input blob a one-call batch run (<see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>) uploaded.</summary>
public enum BatchInputBlobFate
{
    /// <summary>The run ended before it uploaded anything: there is no blob to clean up.</summary>
    NotCreated = 0,

    /// <summary>The blob was deleted.</summary>
    Deleted = 1,

    /// <summary>The blob was kept because <see cref="BatchRunOptions.DeleteInputBlob"/> is off.</summary>
    KeptByOption = 2,

    /// <summary>
    /// The blob was kept because the job may still be running and reading it. The client that ran the job remembers it
    /// and deletes it once the job has ended: on its next <see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/> call, or when you
    /// call <see cref="AzureMlClientBatchExtensions.CleanUpKeptInputsAsync"/>. A new process does not know about it.
    /// </summary>
    KeptWhileJobMayRead = 3,

    /// <summary>Deleting the blob failed until the cleanup budget (<see cref="BatchRunOptions.CleanupTimeout"/>) ran out, or with a refusal; the reason says which. Delete it yourself.</summary>
    DeleteFailed = 4,
}
