using System.Text;
using AzureMl.Csv;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AzureMl.Emulator;

/// <summary>Runs started jobs in the background, each service's jobs through its own slots, streaming blobs row by row.</summary>
internal sealed class JobRunner(BlobLocator locator, BlobServiceClient ownStorage, string resultsContainer, TimeProvider timeProvider, ILogger logger) : IAsyncDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private readonly Lock _lock = new();

    public BatchJob Submit(ServiceState service, BlobReferenceBody input, IReadOnlyDictionary<string, BlobReferenceBody> outputs, IReadOnlyDictionary<string, string?> globals)
    {
        var job = new BatchJob(Guid.NewGuid().ToString("N"), service, input, outputs, globals);
        service.Jobs[job.Id] = job;
        Log.JobChanged(logger, job.Id, service.Service.Id, JobState.NotStarted);
        return job;
    }

    public bool Start(BatchJob job)
    {
        if (!job.TryStart())
        {
            return false;
        }

        // A started job reports Running while it waits for a slot: to clients NotStarted means "start me".
        Log.JobChanged(logger, job.Id, job.Service.Service.Id, JobState.Running);
        var task = Task.Run(() => RunAsync(job));
        job.Run = task;
        lock (_lock)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }

        return true;
    }

    /// <summary>
    /// Cancels a job that has not ended, and waits (a bounded time) until its work has stopped, so no write of a
    /// cancelled job lands after the DELETE was answered; removes an ended job.
    /// </summary>
    public async Task DeleteAsync(BatchJob job)
    {
        if (job.TryCancel())
        {
            Log.JobChanged(logger, job.Id, job.Service.Service.Id, JobState.Cancelled);
            await job.Run.WaitAsync(TimeSpan.FromSeconds(30), timeProvider).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }

        if (job.Service.Jobs.TryRemove(job.Id, out _))
        {
            job.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Jobs stop with the emulator.
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(BatchJob job)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.Cancellation.Token, _stopping.Token);
        var cancellationToken = linked.Token;
        var slots = job.Service.JobSlots;
        try
        {
            if (!slots.Wait(0, CancellationToken.None))
            {
                Log.JobQueued(logger, job.Id, job.Service.Service.Id, job.Service.MaxConcurrentJobs);
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var (results, blobs) = await ProcessAsync(job, cancellationToken).ConfigureAwait(false);
                if (job.TryFinish(results))
                {
                    Log.JobChanged(logger, job.Id, job.Service.Service.Id, JobState.Finished);
                }
                else
                {
                    // Cancelled after the last row was written but before the job could finish: its outputs go too.
                    await DeleteQuietlyAsync(blobs).ConfigureAwait(false);
                }
            }
            finally
            {
                slots.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            job.TryFail("The job was stopped because the emulator shut down.");
        }
        catch (CsvFormatException e)
        {
            Fail(job, e.Describe($"'{job.Service.Service.Model.InputName}'"));
        }
        catch (ServiceErrorException e)
        {
            Fail(job, e.Error.DetailMessage);
        }
        catch (ModelScoringException e)
        {
            Fail(job, e.Message);
        }
        catch (Azure.RequestFailedException e) when (AzureMl.Storage.StorageServiceVersion.Answered(e))
        {
            Fail(job, $"Blob storage refused the job's read or write: {locator.Refusal(e)}");
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or HttpRequestException)
        {
            Fail(job, "Blob storage could not be reached to read or write the job's blobs.");
        }
        catch (Exception e)
        {
            Fail(job, $"The job failed: {e.Message}");
        }
    }

    private void Fail(BatchJob job, string details)
    {
        if (job.TryFail(details))
        {
            Log.JobFailed(logger, job.Id, job.Service.Service.Id, details);
        }
    }

    private static async Task DeleteQuietlyAsync(IEnumerable<BlockBlobClient> blobs)
    {
        foreach (var blob in blobs)
        {
            try
            {
                await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Best-effort cleanup: the job's own outcome is what gets reported.
            catch (Exception)
            {
            }
#pragma warning restore CA1031
        }
    }

    private async Task<(Dictionary<string, BlobReferenceBody> Results, BlockBlobClient[] Blobs)> ProcessAsync(BatchJob job, CancellationToken cancellationToken)
    {
        var model = job.Service.Service.Model;
        var input = locator.Locate(job.Input, model.InputName);
        var outputs = model.Outputs;
        var blobs = new BlockBlobClient[outputs.Count];
        for (var o = 0; o < outputs.Count; o++)
        {
            if (job.Outputs.TryGetValue(outputs[o].Name, out var reference))
            {
                blobs[o] = locator.Locate(reference, outputs[o].Name);
                continue;
            }

            var container = ownStorage.GetBlobContainerClient(resultsContainer);
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            blobs[o] = container.GetBlockBlobClient($"{job.Id}/{outputs[o].Name}.csv");
        }

        var inputStream = await input.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
        await using (inputStream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(inputStream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
            var csv = new CsvReader(reader, DelimiterOf(input.Name));
            var header = await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"The input '{model.InputName}' is empty: it needs a header row with the column names."));
            var positions = new int[model.InputColumns.Count];
            for (var i = 0; i < positions.Length; i++)
            {
                positions[i] = Array.IndexOf(header, model.InputColumns[i].Name);
                if (positions[i] < 0)
                {
                    throw new ServiceErrorException(ServiceError.BadUserArgument("InputMismatchError", $"The header row of '{model.InputName}' has no column '{model.InputColumns[i].Name}'."));
                }
            }

            var writers = new List<(StreamWriter Writer, CsvWriter Csv)>(outputs.Count);
            try
            {
                for (var o = 0; o < outputs.Count; o++)
                {
                    var stream = await blobs[o].OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                    var writer = new StreamWriter(stream, Utf8NoBom, bufferSize: 64 * 1024);
                    writers.Add((writer, new CsvWriter(writer, DelimiterOf(blobs[o].Name))));
                    await writers[o].Csv.WriteRecordAsync([.. outputs[o].Columns.Select(c => c.Name)], cancellationToken).ConfigureAwait(false);
                }

                long index = 0;
                while (await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false) is { } record)
                {
                    index++;
                    var cells = new string?[positions.Length];
                    for (var i = 0; i < positions.Length; i++)
                    {
                        cells[i] = record[positions[i]];
                    }

                    var row = new EmulatedRow(model.InputColumns, cells, index - 1, job.GlobalParameters);
                    var scored = await ModelScorer.ScoreAsync(model, row, cancellationToken).ConfigureAwait(false);
                    for (var o = 0; o < writers.Count; o++)
                    {
                        await writers[o].Csv.WriteRecordAsync(scored[o], cancellationToken).ConfigureAwait(false);
                    }
                }

                foreach (var (writer, _) in writers)
                {
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                // A job that fails or is cancelled leaves no partial output behind: close the streams (which
                // commits what was written) and delete those blobs.
                foreach (var (writer, _) in writers)
                {
                    try
                    {
                        await writer.DisposeAsync().ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // Best-effort: the job's own failure is what gets reported.
                    catch (Exception)
                    {
                    }
#pragma warning restore CA1031
                }

                await DeleteQuietlyAsync(blobs.Take(writers.Count)).ConfigureAwait(false);
                throw;
            }

            // Disposing a writer disposes its blob stream, which commits what was written.
            foreach (var (writer, _) in writers)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }

        var expiresOn = timeProvider.GetUtcNow().AddHours(24);
        var results = new Dictionary<string, BlobReferenceBody>(StringComparer.Ordinal);
        for (var o = 0; o < outputs.Count; o++)
        {
            var sas = job.Outputs.TryGetValue(outputs[o].Name, out var reference) ? reference.SasBlobToken : null;
            results[outputs[o].Name] = BlobLocator.Describe(blobs[o], sas, expiresOn);
        }

        return (results, blobs);
    }

    private static char DelimiterOf(string blobName) =>
        blobName.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
}
