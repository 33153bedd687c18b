using System.Diagnostics;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using Spectre.Console;

namespace AzureMl.Cli;

/// <summary><c>azureml jobs submit | start | status | cancel | run</c>: batch jobs over blob storage.</summary>
internal static class JobsCommands
{
    private const string Container = "azureml-cli";

    /// <summary>Uploads the file and submits a job that reads it (not started). Prints only the job id, for scripts.</summary>
    public static async Task<int> SubmitAsync(CliConnection connection, FileInfo input, string? encoding, CancellationToken cancellationToken)
    {
        await CsvInput.OpenAsync(input, CsvInput.ParseEncoding(encoding), cancellationToken);
        var storage = connection.RequireStorage();
        var run = Guid.NewGuid().ToString("N");
        var container = new BlobContainerClient(storage, Container, CliConnection.BlobOptions());
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await container.GetBlobClient($"{run}/input1.csv").UploadAsync(input.FullName, cancellationToken);

        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(storage, Container, $"{run}/input1.csv");
        request.Outputs["output1"] = BatchBlobReference.FromConnectionString(storage, Container, $"{run}/output1.csv");
        var jobId = await connection.Client.SubmitJobAsync(request, cancellationToken);
        Console.Out.WriteLine(jobId);
        return ExitCodes.Success;
    }

    public static async Task<int> StartAsync(CliConnection connection, string jobId, CancellationToken cancellationToken)
    {
        await connection.Client.StartJobAsync(jobId, cancellationToken);
        Console.Out.WriteLine($"Started job {jobId}.");
        return ExitCodes.Success;
    }

    /// <summary>Prints the job's state; with <paramref name="wait"/>, follows it live until it ends.</summary>
    public static async Task<int> StatusAsync(CliConnection connection, string jobId, bool wait, IAnsiConsole status, CancellationToken cancellationToken)
    {
        var job = connection.Client.GetBatchJob(jobId);
        var current = await job.UpdateStatusAsync(cancellationToken);
        if (wait && current.State == BatchJobState.NotStarted)
        {
            Console.Error.WriteLine($"azureml: job {jobId} has not been started, so it will not end: run 'azureml jobs start {jobId}' (this keeps waiting; Ctrl+C stops).");
        }

        if (wait && !current.IsCompleted && !status.Profile.Capabilities.Interactive)
        {
            // No terminal: one line per state change, no spinner.
            var watch = Stopwatch.StartNew();
            var delay = TimeSpan.FromMilliseconds(500);
            while (!current.IsCompleted)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 10_000));
                var previous = current.State;
                current = await job.UpdateStatusAsync(cancellationToken);
                if (current.State != previous)
                {
                    Console.Error.WriteLine($"{watch.Elapsed.TotalSeconds,5:0.0} s Job {current.State}");
                }
            }
        }
        else if (wait && !current.IsCompleted)
        {
            var watch = Stopwatch.StartNew();
            await status.Status().Spinner(Spinner.Known.Dots).StartAsync($"Job {jobId}: {current.State}", async context =>
            {
                var delay = TimeSpan.FromMilliseconds(500);
                while (!current.IsCompleted)
                {
                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 10_000));
                    current = await job.UpdateStatusAsync(cancellationToken);
                    context.Status($"Job {jobId}: {current.State} ({watch.Elapsed.TotalSeconds:0} s)");
                }
            });
        }

        Console.Out.WriteLine($"{jobId}\t{current.State}");
        foreach (var (name, output) in current.Results)
        {
            // Container and blob only: the SAS token in the reference stays out of the output.
            Console.Out.WriteLine($"  {name}\t{output.ContainerName}/{output.BlobName}");
        }

        if (!string.IsNullOrEmpty(current.Details))
        {
            Console.Out.WriteLine($"  details\t{current.Details}");
        }

        return wait && current.State is BatchJobState.Failed or BatchJobState.Cancelled ? ExitCodes.JobFailed : ExitCodes.Success;
    }

    public static async Task<int> CancelAsync(CliConnection connection, string jobId, CancellationToken cancellationToken)
    {
        BatchJobStatus? before = null;
        try
        {
            before = await connection.Client.GetJobStatusAsync(jobId, cancellationToken);
        }
        catch (AzureMl.Client.AzureMlException e) when (e.Status == 404)
        {
        }

        var found = await connection.Client.DeleteJobAsync(jobId, cancellationToken) && before is not null;
        Console.Out.WriteLine(!found ? $"Job {jobId} was not found (already deleted?)."
            : before!.IsCompleted ? $"Job {jobId} had already ended ({before.State}); nothing to cancel. Deleted it."
            : $"Cancelled job {jobId} (it was {before.State}).");
        return ExitCodes.Success;
    }

    /// <summary>Upload, submit, start, follow, download, clean up: the whole job in one command.</summary>
    public static async Task<int> RunAsync(CliConnection connection, FileInfo input, FileInfo output, string? encoding, IAnsiConsole status, CancellationToken cancellationToken)
    {
        // The same checks as 'score', before anything is uploaded: a bad file fails here with exit code 3.
        var csv = await CsvInput.OpenAsync(input, CsvInput.ParseEncoding(encoding), cancellationToken);
        if (csv.Encoding is not System.Text.UTF8Encoding)
        {
            throw new CliException(ExitCodes.UsageError, "jobs run uploads the file as it is and the service reads UTF-8: convert it first (iconv -f latin1 -t utf-8).");
        }

        var options = new BatchRunOptions
        {
            StorageConnectionString = connection.RequireStorage(),
            BlobClientOptions = CliConnection.BlobOptions(),
            ContainerName = Container,
            DeleteJobOnCompletion = true,
        };
        var watch = Stopwatch.StartNew();
        BatchJobResult? result = null;
        async Task Work(StatusContext? context)
        {
            var progress = new StageProgress(context, status, watch);
            result = await connection.Client.RunBatchJobAsync(BatchJobInput.FromFile(input.FullName), options, progress, cancellationToken);
            await result.DownloadOutputToFileAsync("output1", output.FullName, progress, cancellationToken);
        }

        if (status.Profile.Capabilities.Interactive)
        {
            await status.Status().Spinner(Spinner.Known.Dots).StartAsync($"Uploading {input.Name}", Work);
        }
        else
        {
            await Work(null);
        }

        Console.Out.WriteLine($"Job {result!.JobId} finished in {watch.Elapsed.TotalSeconds:0.0} s; output written to {output.Name}.");
        return ExitCodes.Success;
    }

    /// <summary>Shows the current step on the spinner line (on a terminal) and keeps one line per state change.</summary>
    private sealed class StageProgress(StatusContext? context, IAnsiConsole console, Stopwatch watch) : IProgress<BatchJobProgress>
    {
        public void Report(BatchJobProgress value)
        {
            var text = value.Stage switch
            {
                BatchJobStage.Uploading => $"Uploading {value.BytesTransferred:N0}{(value.TotalBytes is { } t ? $"/{t:N0}" : string.Empty)} bytes",
                BatchJobStage.Submitted => $"Submitted job {value.JobId}",
                BatchJobStage.Started => "Started",
                BatchJobStage.StatusChanged => $"Job {value.State}",
                BatchJobStage.Downloading => $"Downloading {value.BytesTransferred:N0} bytes",
                _ => value.Stage.ToString(),
            };
            context?.Status(Markup.Escape(text));
            if (value.Stage is not (BatchJobStage.Uploading or BatchJobStage.Downloading))
            {
                console.MarkupLineInterpolated($"[grey]{watch.Elapsed.TotalSeconds,5:0.0} s[/] {text}");
            }
        }
    }
}
