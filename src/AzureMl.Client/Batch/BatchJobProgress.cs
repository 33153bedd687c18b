namespace AzureMl.Client.Batch;

/// <summary>The step a one-call batch run has reached.</summary>
public enum BatchJobStage
{
    /// <summary>The input is being uploaded; see <see cref="BatchJobProgress.BytesTransferred"/>.</summary>
    Uploading = 0,

    /// <summary>The job was submitted; <see cref="BatchJobProgress.JobId"/> is set.</summary>
    Submitted = 1,

    /// <summary>The job was started.</summary>
    Started = 2,

    /// <summary>The job's state changed; see <see cref="BatchJobProgress.State"/>.</summary>
    StatusChanged = 3,

    /// <summary>An output is being downloaded; see <see cref="BatchJobProgress.BytesTransferred"/>.</summary>
    Downloading = 4,
}

/// <summary>A progress report of a one-call batch run. Immutable.</summary>
public sealed class BatchJobProgress
{
    /// <summary>Creates a report. Used by the client, and by tests of progress handlers.</summary>
    /// <param name="stage">The step reached.</param>
    /// <param name="jobId">The job id, once submitted.</param>
    /// <param name="state">The job state, for <see cref="BatchJobStage.StatusChanged"/>.</param>
    /// <param name="bytesTransferred">Bytes moved so far, for uploads and downloads.</param>
    /// <param name="totalBytes">Bytes to move, when known.</param>
    /// <param name="blobName">The blob (or output) being moved, for uploads and downloads.</param>
    public BatchJobProgress(BatchJobStage stage, string? jobId = null, BatchJobState? state = null, long bytesTransferred = 0, long? totalBytes = null, string? blobName = null)
    {
        Stage = stage;
        JobId = jobId;
        State = state;
        BytesTransferred = bytesTransferred;
        TotalBytes = totalBytes;
        BlobName = blobName;
    }

    /// <summary>The step reached.</summary>
    public BatchJobStage Stage { get; }

    /// <summary>The job id; <see langword="null"/> while uploading.</summary>
    public string? JobId { get; }

    /// <summary>The job state, for <see cref="BatchJobStage.StatusChanged"/>.</summary>
    public BatchJobState? State { get; }

    /// <summary>Bytes moved so far, for <see cref="BatchJobStage.Uploading"/> and <see cref="BatchJobStage.Downloading"/>.</summary>
    public long BytesTransferred { get; }

    /// <summary>Bytes to move, when known.</summary>
    public long? TotalBytes { get; }

    /// <summary>The blob or output being moved.</summary>
    public string? BlobName { get; }

    /// <inheritdoc />
    public override string ToString() => Stage switch
    {
        BatchJobStage.Uploading or BatchJobStage.Downloading => $"{Stage} {BlobName}: {BytesTransferred}{(TotalBytes is { } t ? "/" + t : string.Empty)} bytes",
        BatchJobStage.StatusChanged => $"{Stage} {JobId}: {State}",
        _ => $"{Stage} {JobId}",
    };
}
