using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Client.Storage;
using AzureMl.Storage;

namespace AzureMl.Client.Internal;

/// <summary>
/// One call of <see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>, step by step: stage the input, submit and
/// start the job, wait for it, clean up, and compose the failure. Reaches the service only through the public
/// <see cref="IAzureMlClient"/> methods; its clock and the kept-input registry come from the client's <see cref="BatchRunContext"/>.
/// </summary>
internal sealed class BatchRun
{
    private readonly IAzureMlClient _client;
    private readonly BatchRunContext _context;
    private readonly BatchRunOptions _options;
    private readonly IProgress<BatchJobProgress>? _progress;
    private readonly BatchStaging _staging;
    private readonly string _runId = Guid.NewGuid().ToString("N");
    private readonly string _inputBlobName;
    private readonly BlobClient _inputBlob;

    private Stage _stage;
    private string? _jobId;
    private CleanupResult? _cleanup;

    private BatchRun(IAzureMlClient client, BatchRunContext context, BatchRunOptions options, IProgress<BatchJobProgress>? progress)
    {
        _client = client;
        _context = context;
        _options = options;
        _progress = progress;
        _staging = BatchStaging.Create(options, context.TimeProvider, nameof(options));
        _inputBlobName = options.InputBlobName ?? $"{_runId}/{options.InputName}.csv";
        _inputBlob = _staging.Container.GetBlobClient(_inputBlobName);
    }

    /// <summary>How far the run got: what the cleanup has to see to.</summary>
    private enum Stage
    {
        /// <summary>Nothing created yet.</summary>
        NothingCreated,

        /// <summary>The input blob may exist: its upload has begun.</summary>
        InputStaged,

        /// <summary>The job exists and was not started.</summary>
        JobSubmitted,

        /// <summary>The job may be running and reading the input: from just before its start until it is seen to end or is deleted.</summary>
        JobMayRun,

        /// <summary>The job has ended or was deleted: it reads the input no more.</summary>
        JobStopped,
    }

    private bool JobMayRun => _stage == Stage.JobMayRun;

    /// <summary>Runs the whole job: the body of <see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>.</summary>
    public static async Task<BatchJobResult> RunAsync(IAzureMlClient client, BatchJobInput input, BatchRunOptions options, IProgress<BatchJobProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(nameof(options));
        var stream = input.Open(out var owned);
        try
        {
            var run = new BatchRun(client, BatchRunContext.For(client), options, progress);
            return await run.ExecuteAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (owned)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<BatchJobResult> ExecuteAsync(Stream input, CancellationToken cancellationToken)
    {
        try
        {
            await _context.KeptInputs.SweepAsync(_client, _context.TimeProvider, _options.CleanupTimeout, cancellationToken).ConfigureAwait(false);
            await StageInputAsync(input, cancellationToken).ConfigureAwait(false);
            var jobId = await SubmitAndStartAsync(cancellationToken).ConfigureAwait(false);
            var status = await WaitAsync(jobId, cancellationToken).ConfigureAwait(false);
            var cleanup = await CleanUpAsync(aborted: false).ConfigureAwait(false);
            if (status.State != BatchJobState.Finished)
            {
                throw new BatchJobFailedException(jobId, status.State, status.Details);
            }

            return new BatchJobResult(status, cleanup.Record) { BlobClientOptions = _options.BlobClientOptions };
        }
        catch (Exception ex)
        {
            var cleanup = _cleanup ?? await CleanUpAsync(aborted: true).ConfigureAwait(false);
            var thrown = ComposeFailure(ex, cleanup, cancellationToken);
            if (ReferenceEquals(thrown, ex))
            {
                throw;
            }

            throw thrown;
        }
    }

    /// <summary>Creates the container if asked, and uploads the input to its blob, reporting bytes as they go.</summary>
    private async Task StageInputAsync(Stream input, CancellationToken cancellationToken)
    {
        var container = _staging.Container;
        if (_options.CreateContainerIfMissing)
        {
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (StorageServiceVersion.Answered(e))
            {
                throw StorageFailure.Explain(e, $"create container '{container.Name}'", _staging.VersionSent);
            }
        }

        long? total = input.CanSeek ? Math.Max(0, input.Length - input.Position) : null;
        var uploadProgress = _progress is null
            ? null
            : new ActionProgress<long>(bytes => _progress.Report(new BatchJobProgress(BatchJobStage.Uploading, null, null, bytes, total, _inputBlobName)));
        _stage = Stage.InputStaged;
        _progress?.Report(new BatchJobProgress(BatchJobStage.Uploading, null, null, 0, total, _inputBlobName));
        try
        {
            await BlobTransfers.UploadAsync(_inputBlob, input, overwrite: true, uploadProgress, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (StorageServiceVersion.Answered(e))
        {
            throw StorageFailure.Explain(e, $"upload the input blob '{_inputBlobName}' to container '{container.Name}'", _staging.VersionSent);
        }
    }

    /// <summary>Submits the job over the staged input and starts it; returns its id.</summary>
    private async Task<string> SubmitAndStartAsync(CancellationToken cancellationToken)
    {
        var jobId = await _client.SubmitJobAsync(BuildRequest(), cancellationToken).ConfigureAwait(false);
        _jobId = jobId;
        _stage = Stage.JobSubmitted;
        _progress?.Report(new BatchJobProgress(BatchJobStage.Submitted, jobId));

        // From here the job may run: a start whose outcome is unknown may have started it.
        _stage = Stage.JobMayRun;
        await _client.StartJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        _progress?.Report(new BatchJobProgress(BatchJobStage.Started, jobId));
        return jobId;
    }

    private BatchJobRequest BuildRequest()
    {
        var request = new BatchJobRequest();
        request.Inputs[_options.InputName] = _staging.ForInput(_inputBlobName);
        foreach (var name in _options.OutputNames.Concat(_options.OutputBlobNames.Keys).Distinct(StringComparer.Ordinal))
        {
            var blobName = _options.OutputBlobNames.TryGetValue(name, out var chosen) ? chosen : $"{_runId}/{name}.csv";
            request.Outputs[name] = _staging.ForOutput(blobName);
        }

        foreach (var (name, value) in _options.GlobalParameters)
        {
            request.GlobalParameters[name] = value;
        }

        return request;
    }

    /// <summary>Polls the job (through <see cref="IAzureMlClient.GetJobStatusAsync"/>) until it ends, reporting each change of state.</summary>
    private async Task<BatchJobStatus> WaitAsync(string jobId, CancellationToken cancellationToken)
    {
        var operation = new BatchJobOperation(_client, jobId, null, _context.TimeProvider, submittedHere: true);
        var status = await operation.WaitCoreAsync(
            _options.Polling,
            s => _progress?.Report(new BatchJobProgress(BatchJobStage.StatusChanged, jobId, s.State)),
            cancellationToken).ConfigureAwait(false);
        _stage = Stage.JobStopped;
        return status;
    }

    /// <summary>
    /// Deletes the job and the input blob as the options say, within one <see cref="BatchRunOptions.CleanupTimeout"/>;
    /// runs once, at the end of the run or on its failure (<paramref name="aborted"/>).
    /// </summary>
    private async Task<CleanupResult> CleanUpAsync(bool aborted)
    {
        using var budget = new CleanupBudget(_options.CleanupTimeout, _context.TimeProvider);
        var note = new StringBuilder();
        var jobDeleted = await CleanUpJobAsync(aborted, budget, note).ConfigureAwait(false);
        var (fate, reason) = await CleanUpInputAsync(budget, note).ConfigureAwait(false);
        var record = new BatchRunCleanup(_jobId, jobDeleted, JobMayRun, _staging.Container.Name, _inputBlobName, fate, reason);
        _cleanup = new CleanupResult(record, note.ToString());
        return _cleanup;
    }

    /// <summary>Deletes the job when the options want it gone; returns whether it was deleted.</summary>
    private async Task<bool> CleanUpJobAsync(bool aborted, CleanupBudget budget, StringBuilder note)
    {
        if (_jobId is not { } jobId)
        {
            return false;
        }

        var deleteWanted = aborted ? JobMayRun && _options.DeleteJobOnAbort : _options.DeleteJobOnCompletion;
        if (!deleteWanted)
        {
            if (aborted && JobMayRun)
            {
                note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} was left running (DeleteJobOnAbort is off); pick it up with GetBatchJob(\"{jobId}\").");
            }

            return false;
        }

        var result = await BatchCleanup.DeleteJobAsync(_client, jobId, watchJob: JobMayRun, budget).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case CleanupOutcome.Done:
                _stage = Stage.JobStopped;
                if (aborted)
                {
                    note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} was deleted so that it does not keep running.");
                }

                return true;
            case CleanupOutcome.EndedOnItsOwn:
                _stage = Stage.JobStopped;
                note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} could not be deleted ({result.Reason}), but it has ended ({result.EndedState}).");
                return false;
            default:
                note.Append(CultureInfo.InvariantCulture, $" Batch job {jobId} could not be deleted ({result.Reason}); delete it with DeleteJobAsync(\"{jobId}\").");
                return false;
        }
    }

    /// <summary>Deletes the input blob, or keeps it (by option, or while the job may still read it); returns its fate and the reason when not deleted.</summary>
    private async Task<(BatchInputBlobFate Fate, string? Reason)> CleanUpInputAsync(CleanupBudget budget, StringBuilder note)
    {
        if (_stage < Stage.InputStaged)
        {
            return (BatchInputBlobFate.NotCreated, null);
        }

        if (!_options.DeleteInputBlob)
        {
            return (BatchInputBlobFate.KeptByOption, null);
        }

        if (JobMayRun)
        {
            var jobId = _jobId!;
            var reason = _context.KeptInputs.Remember(jobId, _inputBlob)
                ? $"job {jobId} may still read it; this client deletes it once the job has ended, on its next RunBatchJobAsync or on CleanUpKeptInputsAsync"
                : $"job {jobId} may still read it, and this client already remembers {KeptInputs.Max} kept input blobs; delete it yourself once the job has ended";
            note.Append(CultureInfo.InvariantCulture, $" The input blob {_inputBlobName} was kept because {reason}.");
            return (BatchInputBlobFate.KeptWhileJobMayRead, reason);
        }

        var result = await BatchCleanup.DeleteBlobAsync(_inputBlob, budget).ConfigureAwait(false);
        if (result.Outcome == CleanupOutcome.Done)
        {
            return (BatchInputBlobFate.Deleted, null);
        }

        note.Append(CultureInfo.InvariantCulture, $" The input blob {_inputBlobName} could not be deleted ({result.Reason}); delete it yourself.");
        return (BatchInputBlobFate.DeleteFailed, result.Reason);
    }

    /// <summary>
    /// The exception the run throws: every one carries the cleanup record (in <see cref="Exception.Data"/>), a cancellation
    /// becomes a <see cref="BatchRunCanceledException"/>, and any other takes the cleanup's note through <see cref="ExceptionNotes"/>.
    /// </summary>
    private static Exception ComposeFailure(Exception ex, CleanupResult cleanup, CancellationToken cancellationToken)
    {
        var thrown = ex switch
        {
            BatchRunCanceledException => ex,
            OperationCanceledException => new BatchRunCanceledException("The batch run was cancelled." + cleanup.Note, cleanup.Record, ex, cancellationToken),
            _ => ExceptionNotes.Append(ex, cleanup.Note),
        };
        thrown.Data[BatchRunCleanup.DataKey] = cleanup.Record;
        return thrown;
    }

    /// <summary>The cleanup's record, and what it left undone or did on a failure path as sentences for an exception's message.</summary>
    private sealed record CleanupResult(BatchRunCleanup Record, string Note);
}
