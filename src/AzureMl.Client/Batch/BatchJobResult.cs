using System.Diagnostics;
using Azure.Storage.Blobs;

namespace AzureMl.Client.Batch;

/// <summary>The outcome of a one-call batch run: the finished job and its outputs. Immutable.</summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class BatchJobResult
{
    /// <summary>Creates a result. Used by the client, and by tests that fake a service.</summary>
    /// <param name="status">The final status of the finished job.</param>
    /// <param name="cleanup">What the run created and what became of it.</param>
    public BatchJobResult(BatchJobStatus status, BatchRunCleanup cleanup)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(cleanup);
        Status = status;
        Cleanup = cleanup;
    }

    /// <summary>The job id.</summary>
    public string JobId => Status.JobId;

    /// <summary>The final status.</summary>
    public BatchJobStatus Status { get; }

    /// <summary>Output name → blob, with the read-only SAS the service returned.</summary>
    public IReadOnlyDictionary<string, BatchBlobReference> Outputs => Status.Results;

    /// <summary>What the run created (the job and the input blob) and what became of it, with the reason when the input blob was not deleted.</summary>
    public BatchRunCleanup Cleanup { get; }

    /// <summary>Whether the input blob was deleted; when not, <see cref="Cleanup"/> says why (<see cref="BatchRunCleanup.InputBlobFate"/>, <see cref="BatchRunCleanup.InputBlobReason"/>).</summary>
    public bool InputBlobDeleted => Cleanup.InputBlobDeleted;

    /// <summary>Whether the job was deleted from the service.</summary>
    public bool JobDeleted => Cleanup.JobDeleted;

    /// <summary>The run's <see cref="BatchRunOptions.BlobClientOptions"/>, which the downloads use too.</summary>
    internal BlobClientOptions? BlobClientOptions { get; init; }

    /// <summary>Downloads output <paramref name="outputName"/> into <paramref name="destination"/>, streaming, with the run's <see cref="BatchRunOptions.BlobClientOptions"/>.</summary>
    /// <param name="outputName">The output name, e.g. <c>output1</c>.</param>
    /// <param name="destination">The stream to write to; left open.</param>
    /// <param name="progress">Receives <see cref="BatchJobStage.Downloading"/> reports with the bytes so far.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>A task that completes when the output is downloaded.</returns>
    /// <exception cref="KeyNotFoundException">The job has no output of that name; the message lists the ones it has.</exception>
    public Task DownloadOutputAsync(string outputName, Stream destination, IProgress<BatchJobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        GetOutput(outputName).DownloadToAsync(destination, BlobClientOptions, BytesProgress(outputName, progress), cancellationToken);

    /// <summary>Downloads output <paramref name="outputName"/> to the file <paramref name="path"/>, streaming, with the run's <see cref="BatchRunOptions.BlobClientOptions"/>.</summary>
    /// <param name="outputName">The output name, e.g. <c>output1</c>.</param>
    /// <param name="path">The file path (created or overwritten).</param>
    /// <param name="progress">Receives <see cref="BatchJobStage.Downloading"/> reports with the bytes so far.</param>
    /// <param name="cancellationToken">Cancels the download; a partly written file is deleted.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="KeyNotFoundException">The job has no output of that name; the message lists the ones it has.</exception>
    public Task DownloadOutputToFileAsync(string outputName, string path, IProgress<BatchJobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        GetOutput(outputName).DownloadToFileAsync(path, BlobClientOptions, BytesProgress(outputName, progress), cancellationToken);

    /// <inheritdoc />
    public override string ToString() =>
        $"BatchJobResult {{ JobId = {JobId}, State = {Status.State}, Outputs = [{string.Join(", ", Outputs.Keys)}], InputBlobFate = {Cleanup.InputBlobFate}, JobDeleted = {JobDeleted} }}";

    private BatchBlobReference GetOutput(string outputName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        return Outputs.TryGetValue(outputName, out var blob)
            ? blob
            : throw new KeyNotFoundException($"Batch job {JobId} has no output '{outputName}'. Its outputs: {(Outputs.Count == 0 ? "(none)" : string.Join(", ", Outputs.Keys))}.");
    }

    private ActionProgress<long>? BytesProgress(string outputName, IProgress<BatchJobProgress>? progress) =>
        progress is null ? null : new ActionProgress<long>(bytes => progress.Report(new BatchJobProgress(BatchJobStage.Downloading, JobId, Status.State, bytes, null, outputName)));
}

/// <summary>An <see cref="IProgress{T}"/> that reports inline, without a synchronization context hop.</summary>
internal sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
