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
    public static async Task<int> SubmitAsync(CliConnection connection, FileInfo input, CancellationToken cancellationToken)
    {
        RequireFile(input);
        var storage = connection.RequireStorage();
        var run = Guid.NewGuid().ToString("N");
        // The version the SDK's batch runs send: accepted by Azure Storage and by a stock Azurite.
        var container = new BlobContainerClient(storage, Container, new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion));
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
        if (wait && !current.IsCompleted)
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
        var found = await connection.Client.DeleteJobAsync(jobId, cancellationToken);
        Console.Out.WriteLine(found ? $"Cancelled job {jobId}." : $"Job {jobId} was not found (already deleted?).");
        return ExitCodes.Success;
    }

    /// <summary>Upload, submit, start, follow, download, clean up: the whole job in one command.</summary>
    public static async Task<int> RunAsync(CliConnection connection, FileInfo input, FileInfo output, IAnsiConsole status, CancellationToken cancellationToken)
    {
        RequireFile(input);
        var options = new BatchRunOptions
        {
            StorageConnectionString = connection.RequireStorage(),
            ContainerName = Container,
            DeleteJobOnCompletion = true,
        };
        var watch = Stopwatch.StartNew();
        BatchJobResult? result = null;
        await status.Status().Spinner(Spinner.Known.Dots).StartAsync("Uploading", async context =>
        {
            var progress = new StageProgress(context, status, watch);
            result = await connection.Client.RunBatchJobAsync(BatchJobInput.FromFile(input.FullName), options, progress, cancellationToken);
            await result.DownloadOutputToFileAsync("output1", output.FullName, progress, cancellationToken);
        });

        Console.Out.WriteLine($"Job {result!.JobId} finished in {watch.Elapsed.TotalSeconds:0.0} s; output written to {output.Name}.");
        return ExitCodes.Success;
    }

    private static void RequireFile(FileInfo input)
    {
        if (!input.Exists)
        {
            throw new CliException(ExitCodes.InputError, $"The input file '{input.FullName}' does not exist.");
        }
    }

    /// <summary>Shows the current step on the spinner line and keeps one line per state change.</summary>
    private sealed class StageProgress(StatusContext context, IAnsiConsole console, Stopwatch watch) : IProgress<BatchJobProgress>
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
            context.Status(Markup.Escape(text));
            if (value.Stage is not (BatchJobStage.Uploading or BatchJobStage.Downloading))
            {
                console.MarkupLineInterpolated($"[grey]{watch.Elapsed.TotalSeconds,5:0.0} s[/] {text}");
            }
        }
    }
}
