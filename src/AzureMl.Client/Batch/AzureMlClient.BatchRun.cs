using AzureMl.Client.Batch;
using AzureMl.Client.Internal;
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
        var inputBlob = staging.Container.GetBlobClient(inputBlobName);

        var uploadStarted = false;
        var inputDeleted = false;
        string? jobId = null;
        var jobMayRun = false;

        async Task<string?> CleanUpInputAsync()
        {
            if (!options.DeleteInputBlob || !uploadStarted || inputDeleted)
            {
                return null;
            }

            if (jobMayRun)
            {
                return $" The input blob {inputBlobName} was kept because job {jobId} may still read it.";
            }

            using var cts = new CancellationTokenSource(BatchRunOptions.CleanupTimeout, TimeProvider);
            try
            {
                await inputBlob.DeleteIfExistsAsync(cancellationToken: cts.Token).ConfigureAwait(false);
                inputDeleted = true;
                return null;
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or OperationCanceledException or HttpRequestException)
            {
                return $" The input blob {inputBlobName} could not be deleted ({SecretRedactor.Redact(ex.Message.Split('\n')[0])}); delete it yourself.";
            }
        }

        try
        {
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
            uploadStarted = true;
            progress?.Report(new BatchJobProgress(BatchJobStage.Uploading, null, null, 0, total, inputBlobName));
            try
            {
                await BlobTransfers.UploadAsync(inputBlob, input, overwrite: true, uploadProgress, cancellationToken).ConfigureAwait(false);
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

            jobId = await SubmitJobAsync(request, cancellationToken).ConfigureAwait(false);
            progress?.Report(new BatchJobProgress(BatchJobStage.Submitted, jobId));

            jobMayRun = true;
            await StartJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            progress?.Report(new BatchJobProgress(BatchJobStage.Started, jobId));

            var operation = new BatchJobOperation(this, jobId, null, submittedHere: true);
            var id = jobId;
            var status = await operation.WaitCoreAsync(
                options.Polling,
                s => progress?.Report(new BatchJobProgress(BatchJobStage.StatusChanged, id, s.State)),
                cancellationToken).ConfigureAwait(false);
            jobMayRun = false;

            var jobDeleted = options.DeleteJobOnCompletion && await TryDeleteJobAsync(jobId).ConfigureAwait(false) is null;
            await CleanUpInputAsync().ConfigureAwait(false);
            if (status.State != BatchJobState.Finished)
            {
                throw new BatchJobFailedException(jobId, status.State, status.Details);
            }

            return new BatchJobResult(status, inputDeleted, jobDeleted) { BlobClientOptions = options.BlobClientOptions };
        }
        catch (Exception ex) when (ex is not BatchJobFailedException)
        {
            string? note = null;
            if (jobId is not null && jobMayRun)
            {
                if (options.DeleteJobOnAbort)
                {
                    var failure = await TryDeleteJobAsync(jobId).ConfigureAwait(false);
                    if (failure is null)
                    {
                        jobMayRun = false;
                        note = $" Batch job {jobId} was deleted so that it does not keep running.";
                    }
                    else
                    {
                        note = $" Batch job {jobId} could not be deleted ({SecretRedactor.Redact(failure.Message)}); delete it with DeleteJobAsync(\"{jobId}\").";
                    }
                }
                else
                {
                    note = $" Batch job {jobId} was left running (DeleteJobOnAbort is off); pick it up with GetBatchJob(\"{jobId}\").";
                }
            }

            note += await CleanUpInputAsync().ConfigureAwait(false);
            if (string.IsNullOrEmpty(note))
            {
                throw;
            }

            throw ex switch
            {
                AzureMlException ml => new AzureMlException(ml.Message + note, ml.Operation, ml.Status, ml.ErrorSource, ml.ErrorCode, ml.Details, ml)
                {
                    JobId = ml.JobId ?? jobId,
                    IsOutcomeUnknown = ml.IsOutcomeUnknown,
                    RequestId = ml.RequestId,
                    RetryAfter = ml.RetryAfter,
                    ServerMessage = ml.ServerMessage,
                },
                OperationCanceledException oce => new OperationCanceledException("The batch run was cancelled." + note, oce, cancellationToken),
                _ => new InvalidOperationException("The batch run failed: " + SecretRedactor.Redact(ex.Message) + note, ex),
            };
        }
    }
}
