using System.Diagnostics;

namespace AzureMl.Client.Batch;

/// <summary>
/// What a one-call batch run (<see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>) created and what became of it: the job and
/// the input blob. Every result (<see cref="BatchJobResult.Cleanup"/>) and every exception the run throws carries one, so
/// an app can finish a cleanup without reading messages: get it with <see cref="FromException"/> from any exception, or
/// from <see cref="AzureMlException.BatchRunCleanup"/>, <see cref="BatchJobFailedException.BatchRunCleanup"/> and
/// <see cref="BatchRunCanceledException.Cleanup"/>. Immutable; holds no secrets.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class BatchRunCleanup
{
    /// <summary>
    /// The key under which a run stores its <see cref="BatchRunCleanup"/> in <see cref="Exception.Data"/> of the exception
    /// it throws, whatever the exception's type (storage <c>RequestFailedException</c> and I/O errors included).
    /// </summary>
    public const string DataKey = "AzureMl.Client.BatchRunCleanup";

    /// <summary>Creates the record. Used by the client, and by tests of code that handles a run's outcome.</summary>
    /// <param name="jobId">The job id, or <see langword="null"/> when no job id is known.</param>
    /// <param name="jobDeleted">Whether the run deleted the job.</param>
    /// <param name="jobMayStillRun">Whether the job may still be running.</param>
    /// <param name="inputContainerName">The container of the input blob.</param>
    /// <param name="inputBlobName">The input blob's name within the container.</param>
    /// <param name="inputBlobFate">What became of the input blob.</param>
    /// <param name="inputBlobReason">Why the blob was kept or not deleted, if it was; secrets are redacted by the client.</param>
    public BatchRunCleanup(string? jobId, bool jobDeleted, bool jobMayStillRun, string inputContainerName, string inputBlobName, BatchInputBlobFate inputBlobFate, string? inputBlobReason = null)
    {
        ArgumentNullException.ThrowIfNull(inputContainerName);
        ArgumentNullException.ThrowIfNull(inputBlobName);
        JobId = jobId;
        JobDeleted = jobDeleted;
        JobMayStillRun = jobMayStillRun;
        InputContainerName = inputContainerName;
        InputBlobName = inputBlobName;
        InputBlobFate = inputBlobFate;
        InputBlobReason = inputBlobReason;
    }

    /// <summary>The job id, or <see langword="null"/> when the run created no job (or the submit's outcome is unknown).</summary>
    public string? JobId { get; }

    /// <summary>Whether the run deleted the job from the service.</summary>
    public bool JobDeleted { get; }

    /// <summary>
    /// Whether the job may still be running: it was started (or its start's outcome is unknown) and was neither deleted
    /// nor seen to end. Delete it with <see cref="IAzureMlClient.DeleteJobAsync"/> or follow it with <see cref="IAzureMlClient.GetBatchJob"/>.
    /// </summary>
    public bool JobMayStillRun { get; }

    /// <summary>The container of the input blob.</summary>
    public string InputContainerName { get; }

    /// <summary>The input blob's name within <see cref="InputContainerName"/>.</summary>
    public string InputBlobName { get; }

    /// <summary>What became of the input blob.</summary>
    public BatchInputBlobFate InputBlobFate { get; }

    /// <summary>
    /// Why the input blob was kept or not deleted (for <see cref="BatchInputBlobFate.KeptWhileJobMayRead"/> and
    /// <see cref="BatchInputBlobFate.DeleteFailed"/>); <see langword="null"/> otherwise. Secrets redacted.
    /// </summary>
    public string? InputBlobReason { get; }

    /// <summary>Whether the input blob was deleted (<see cref="InputBlobFate"/> is <see cref="BatchInputBlobFate.Deleted"/>).</summary>
    public bool InputBlobDeleted => InputBlobFate == BatchInputBlobFate.Deleted;

    /// <summary>
    /// The cleanup record of the run that threw <paramref name="exception"/>, read from <see cref="Exception.Data"/> under
    /// <see cref="DataKey"/> of the exception or, when it was wrapped, of its inner exceptions.
    /// </summary>
    /// <param name="exception">An exception thrown by <see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>, or one wrapping it.</param>
    /// <returns>The record, or <see langword="null"/> when the exception did not come from a batch run.</returns>
    public static BatchRunCleanup? FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (Own(e) is { } cleanup)
            {
                return cleanup;
            }
        }

        return null;
    }

    /// <summary>Describes the job and the input blob.</summary>
    /// <returns>A one-line description without secrets.</returns>
    public override string ToString() =>
        $"BatchRunCleanup {{ JobId = {JobId ?? "(none)"}, JobDeleted = {JobDeleted}, JobMayStillRun = {JobMayStillRun}, " +
        $"InputBlob = {InputContainerName}/{InputBlobName}, InputBlobFate = {InputBlobFate}{(InputBlobReason is null ? string.Empty : ", InputBlobReason = " + InputBlobReason)} }}";

    /// <summary>The record stored on <paramref name="exception"/> itself, not on its inner exceptions.</summary>
    internal static BatchRunCleanup? Own(Exception exception) => exception.Data[DataKey] as BatchRunCleanup;
}
