using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Client.Storage;

namespace AzureMl.Client;

public sealed partial class AzureMlClient
{
    /// <inheritdoc />
    public async Task<BatchJobResult> RunBatchJobAsync(BatchJobInput input, BatchRunOptions options, IProgress<BatchJobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(nameof(options));
        var stream = input.Open(out var owned);
        try
        {
            return await RunCoreAsync(stream, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (owned)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<BatchJobResult> RunCoreAsync(Stream input, BatchRunOptions options, IProgress<BatchJobProgress>? progress, CancellationToken cancellationToken)
    {
        var staging = BatchStaging.Create(options, TimeProvider, nameof(options));
        var runId = Guid.NewGuid().ToString("N");
        var inputBlobName = options.InputBlobName ?? $"{runId}/{options.InputName}.csv";
        var run = new BatchRunState(this, options, staging.Container.GetBlobClient(inputBlobName), staging.Container.Name, inputBlobName);

        try
        {
            await SweepKeptInputsAsync(options.CleanupTimeout, cancellationToken).ConfigureAwait(false);
            if (options.CreateContainerIfMissing)
            {
                try
                {
                    await staging.Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (Azure.RequestFailedException e) when (AzureMl.Storage.StorageServiceVersion.Answered(e))
                {
                    throw StorageFailure.Explain(e, $"create container '{staging.Container.Name}'", staging.VersionSent);
                }
            }

            long? total = input.CanSeek ? Math.Max(0, input.Length - input.Position) : null;
            var uploadProgress = progress is null
                ? null
                : new ActionProgress<long>(bytes => progress.Report(new BatchJobProgress(BatchJobStage.Uploading, null, null, bytes, total, inputBlobName)));
            run.UploadStarted = true;
            progress?.Report(new BatchJobProgress(BatchJobStage.Uploading, null, null, 0, total, inputBlobName));
            try
            {
                await BlobTransfers.UploadAsync(run.InputBlob, input, overwrite: true, uploadProgress, cancellationToken).ConfigureAwait(false);
            }
            catch (Azure.RequestFailedException e) when (AzureMl.Storage.StorageServiceVersion.Answered(e))
            {
                throw StorageFailure.Explain(e, $"upload the input blob '{inputBlobName}' to container '{staging.Container.Name}'", staging.VersionSent);
            }

            var request = new BatchJobRequest();
            request.Inputs[options.InputName] = staging.ForInput(inputBlobName);
            foreach (var name in options.OutputNames.Concat(options.OutputBlobNames.Keys).Distinct(StringComparer.Ordinal))
            {
                var blobName = options.OutputBlobNames.TryGetValue(name, out var chosen) ? chosen : $"{runId}/{name}.csv";
                request.Outputs[name] = staging.ForOutput(blobName);
            }

            foreach (var (name, value) in options.GlobalParameters)
            {
                request.GlobalParameters[name] = value;
            }

            var jobId = await SubmitJobAsync(request, cancellationToken).ConfigureAwait(false);
            run.JobId = jobId;
            progress?.Report(new BatchJobProgress(BatchJobStage.Submitted, jobId));

            run.JobMayRun = true;
            await StartJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            progress?.Report(new BatchJobProgress(BatchJobStage.Started, jobId));

            var operation = new BatchJobOperation(this, jobId, null, TimeProvider, submittedHere: true);
            var status = await operation.WaitCoreAsync(
                options.Polling,
                s => progress?.Report(new BatchJobProgress(BatchJobStage.StatusChanged, jobId, s.State)),
                cancellationToken).ConfigureAwait(false);
            run.JobMayRun = false;

            var cleanup = await run.CleanUpAsync(aborted: false).ConfigureAwait(false);
            if (status.State != BatchJobState.Finished)
            {
                throw new BatchJobFailedException(jobId, status.State, status.Details);
            }

            return new BatchJobResult(status, cleanup) { BlobClientOptions = options.BlobClientOptions };
        }
        catch (Exception ex)
        {
            // Every exception of a run carries what became of the job and the input blob, whatever its type.
            var cleanup = run.Cleanup ?? await run.CleanUpAsync(aborted: true).ConfigureAwait(false);
            var thrown = ex switch
            {
                BatchRunCanceledException => ex,
                OperationCanceledException => new BatchRunCanceledException("The batch run was cancelled." + run.Note, cleanup, ex, cancellationToken),
                _ => ExceptionNotes.Append(ex, run.Note),
            };
            thrown.Data[BatchRunCleanup.DataKey] = cleanup;
            if (ReferenceEquals(thrown, ex))
            {
                throw;
            }

            throw thrown;
        }
    }

    /// <summary>What a run has created so far, and the cleanup that runs once when it ends.</summary>
    private sealed class BatchRunState(AzureMlClient client, BatchRunOptions options, BlobClient inputBlob, string containerName, string inputBlobName)
    {
        public BlobClient InputBlob => inputBlob;

        public bool UploadStarted { get; set; }

        public string? JobId { get; set; }

        /// <summary>Whether the job may be running (and reading the input): from just before its start until it is seen to end or is deleted.</summary>
        public bool JobMayRun { get; set; }

        /// <summary>Set once the cleanup has run.</summary>
        public BatchRunCleanup? Cleanup { get; private set; }

        /// <summary>What the cleanup left undone or did on a failure path, as sentences for an exception's message.</summary>
        public string Note { get; private set; } = string.Empty;

        public async Task<BatchRunCleanup> CleanUpAsync(bool aborted)
        {
            // One budget for the whole cleanup; the caller's token is cancelled or spent, so it is not used.
            using var budget = new CancellationTokenSource(options.CleanupTimeout, client.TimeProvider);
            var note = new StringBuilder();
            var jobDeleted = false;
            if (JobId is { } jobId)
            {
                var deleteWanted = aborted ? JobMayRun && options.DeleteJobOnAbort : options.DeleteJobOnCompletion;
                if (deleteWanted)
                {
                    var result = await client.DeleteJobWithinBudgetAsync(jobId, watchJob: JobMayRun, options.CleanupTimeout, budget.Token).ConfigureAwait(false);
                    switch (result.Outcome)
                    {
                        case JobCleanupOutcome.Deleted:
                            jobDeleted = true;
                            JobMayRun = false;
                            if (aborted)
                            {
                                note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} was deleted so that it does not keep running.");
                            }

                            break;
                        case JobCleanupOutcome.Ended:
                            JobMayRun = false;
                            note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} could not be deleted ({result.Reason}), but it has ended ({result.EndedState}).");
                            break;
                        default:
                            note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} could not be deleted ({result.Reason}); delete it with DeleteJobAsync(\"{jobId}\").");
                            break;
                    }
                }
                else if (aborted && JobMayRun)
                {
                    note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} was left running (DeleteJobOnAbort is off); pick it up with GetBatchJob(\"{jobId}\").");
                }
            }

            BatchInputBlobFate fate;
            string? reason = null;
            if (!UploadStarted)
            {
                fate = BatchInputBlobFate.NotCreated;
            }
            else if (!options.DeleteInputBlob)
            {
                fate = BatchInputBlobFate.KeptByOption;
            }
            else if (JobMayRun && JobId is not null)
            {
                fate = BatchInputBlobFate.KeptWhileJobMayRead;
                reason = client.RememberKeptInput(JobId, inputBlob)
                    ? $"job {JobId} may still read it; this client deletes it once the job has ended, on its next RunBatchJobAsync or on CleanUpKeptInputsAsync"
                    : $"job {JobId} may still read it, and this client already remembers {MaxKeptInputs} kept input blobs; delete it yourself once the job has ended";
                note.Append(CultureInfo.InvariantCulture, $" The input blob {inputBlobName} was kept because {reason}.");
            }
            else
            {
                reason = await client.DeleteBlobWithinBudgetAsync(inputBlob, options.CleanupTimeout, budget.Token).ConfigureAwait(false);
                fate = reason is null ? BatchInputBlobFate.Deleted : BatchInputBlobFate.DeleteFailed;
                if (reason is not null)
                {
                    note.Append(CultureInfo.InvariantCulture, $" The input blob {inputBlobName} could not be deleted ({reason}); delete it yourself.");
                }
            }

            Note = note.ToString();
            Cleanup = new BatchRunCleanup(JobId, jobDeleted, JobMayRun, containerName, inputBlobName, fate, reason);
            return Cleanup;
        }
    }
}
