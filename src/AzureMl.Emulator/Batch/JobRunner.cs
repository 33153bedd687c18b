using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AzureMl.Emulator;

/// <summary>Runs started jobs in the background, each service's jobs through its own slots, streaming blobs row by row.</summary>
internal sealed class JobRunner(BlobServiceClient ownStorage, string resultsContainer, TimeProvider timeProvider, ILogger logger) : IAsyncDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private readonly Lock _lock = new();

    public BatchJob Submit(ServiceState service, BlobReferenceBody input, BlobReferenceBody? output, IReadOnlyDictionary<string, string?> globals)
    {
        var job = new BatchJob(Guid.NewGuid().ToString("N"), service, input, output, globals);
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
        lock (_lock)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }

        return true;
    }

    public void Delete(BatchJob job)
    {
        if (job.TryCancel())
        {
            Log.JobChanged(logger, job.Id, job.Service.Service.Id, JobState.Cancelled);
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
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var results = await ProcessAsync(job, cancellationToken).ConfigureAwait(false);
                if (job.TryFinish(results))
                {
                    Log.JobChanged(logger, job.Id, job.Service.Service.Id, JobState.Finished);
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
            Fail(job, $"Row {e.Row} (line {e.Line}) of '{job.Service.Service.Model.InputName}', counting the header as row 1, is malformed: {e.Message}.");
        }
        catch (ServiceErrorException e)
        {
            Fail(job, e.Error.DetailMessage);
        }
        catch (Azure.RequestFailedException e)
        {
            // The storage message carries response headers; the status and code say enough.
            Fail(job, $"Blob storage refused the job's read or write: {e.Status} {e.ErrorCode}.");
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

    private async Task<Dictionary<string, BlobReferenceBody>> ProcessAsync(BatchJob job, CancellationToken cancellationToken)
    {
        var model = job.Service.Service.Model;
        var input = BlobLocator.Locate(job.Input, model.InputName);
        BlockBlobClient output;
        if (job.Output is null)
        {
            var container = ownStorage.GetBlobContainerClient(resultsContainer);
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            output = container.GetBlockBlobClient($"{job.Id}/{model.OutputName}.csv");
        }
        else
        {
            output = BlobLocator.Locate(job.Output, model.OutputName);
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

            var outputStream = await output.OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (outputStream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(outputStream, Utf8NoBom, bufferSize: 64 * 1024);
                await using (writer.ConfigureAwait(false))
                {
                    var csvOut = new CsvWriter(writer, DelimiterOf(output.Name));
                    await csvOut.WriteRecordAsync([.. model.OutputColumns.Select(c => c.Name)], cancellationToken).ConfigureAwait(false);
                    long index = 0;
                    while (await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false) is { } record)
                    {
                        index++;
                        if (record.Length != header.Length)
                        {
                            throw new CsvFormatException(csv.RecordNumber, csv.RecordLine, $"it has {record.Length} fields, but the header row has {header.Length}");
                        }

                        var cells = new string?[positions.Length];
                        for (var i = 0; i < positions.Length; i++)
                        {
                            cells[i] = record[positions[i]];
                        }

                        var row = new EmulatedRow(model.InputColumns, cells, index - 1, job.GlobalParameters);
                        var scored = await ExecuteHandler.ScoreAsync(model, row, cancellationToken).ConfigureAwait(false);
                        await csvOut.WriteRecordAsync(scored, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var reference = BlobLocator.Describe(output, job.Output?.SasBlobToken, timeProvider.GetUtcNow().AddHours(24));
        return new Dictionary<string, BlobReferenceBody>(StringComparer.Ordinal) { [model.OutputName] = reference };
    }

    private static char DelimiterOf(string blobName) =>
        blobName.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
}
