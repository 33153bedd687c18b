using System.Diagnostics;
using AzureMl.Client;
using AzureMl.Client.Batch;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Quickstart;

/// <summary>The quickstart's steps: score one row, score it on an online endpoint, run a batch job, ride out a throttled answer.</summary>
public static class QuickstartFlow
{
    /// <summary>The bundled input of the batch job: a few hundred short book reviews in a column named <c>Col2</c>.</summary>
    public static string ReviewsPath => Path.Combine(AppContext.BaseDirectory, "data", "book-reviews.csv");

    /// <summary>Registers the client the way an app would: from options, with the gateway's subscription key when there is one.</summary>
    public static ServiceProvider BuildServices(QuickstartTarget target)
    {
        var services = new ServiceCollection();
        var client = services.AddAzureMlClient(options =>
        {
            options.Endpoint = target.Endpoint;
            options.WorkspaceId = target.WorkspaceId;
            options.ServiceId = target.ServiceId;
            options.ApiKey = target.ApiKey;
        });

        if (target.SubscriptionKey is { } key)
        {
            client.AddSubscriptionKey(key);
        }

        // The online endpoint behind the same gateway: its own key, and the same subscription key for API Management.
        if (target.OnlineScoringUri is { } scoringUri)
        {
            var online = services.AddAzureMlOnlineEndpoint("online", options =>
            {
                options.ScoringUri = scoringUri;
                options.PrimaryKey = target.OnlineKey;
            });
            if (target.SubscriptionKey is { } onlineKey)
            {
                online.AddSubscriptionKey(onlineKey);
            }
        }

        return services.BuildServiceProvider(validateScopes: true);
    }

    public static async Task<QuickstartResult> RunAsync(IAzureMlClient client, QuickstartTarget target, TextWriter output, CancellationToken cancellationToken = default) =>
        await RunAsync(client, null, target, output, cancellationToken);

    /// <summary>Runs every step; the online step only when <paramref name="online"/> is given.</summary>
    public static async Task<QuickstartResult> RunAsync(IAzureMlClient client, IOnlineEndpointClient? online, QuickstartTarget target, TextWriter output, CancellationToken cancellationToken = default)
    {
        using var retries = new RetryCounter();

        // 1. Request-response: one row in, one row out.
        await output.WriteLineAsync("1. Request-response scoring");
        var watch = Stopwatch.StartNew();
        var scored = await client.ExecuteAsync(new ScoringTable("Col2").AddRow("This is a good day"), cancellationToken);
        var features = HashingFeatures(scored[0]);
        await output.WriteLineAsync($"   \"This is a good day\" -> [{string.Join(", ", features)}]   ({watch.ElapsedMilliseconds} ms)");
        await output.WriteLineAsync();

        // 1b. The same row on a managed online endpoint (an MLflow deployment of the same model): rows come back as objects.
        int[]? onlineFeatures = null;
        if (online is not null)
        {
            await output.WriteLineAsync("1b. Online endpoint scoring");
            watch.Restart();
            var onlineScored = await online.ScoreAsync(new ScoringTable("Col2").AddRow("This is a good day"), cancellationToken: cancellationToken);
            onlineFeatures = HashingFeatures(onlineScored[0]);
            await output.WriteLineAsync($"   \"This is a good day\" -> [{string.Join(", ", onlineFeatures)}]   ({watch.ElapsedMilliseconds} ms, {online.ScoringUri.AbsolutePath})");
            await output.WriteLineAsync();
        }

        // 2. Batch: upload the file, submit, start, wait, download. Cancelling (Ctrl+C) deletes the job and the input blob.
        await output.WriteLineAsync($"2. Batch job over {Path.GetFileName(ReviewsPath)}");
        watch.Restart();
        var options = new BatchRunOptions
        {
            StorageConnectionString = target.StorageConnectionString,
            ContainerName = "azureml-quickstart",
            DeleteJobOnCompletion = true,
            Polling = new BatchPollingOptions { InitialDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(5) },
        };
        var progress = new StatusLines(output, watch);
        var job = await client.RunBatchJobAsync(BatchJobInput.FromFile(ReviewsPath), options, progress, cancellationToken);

        using var downloaded = new MemoryStream();
        await job.DownloadOutputAsync("output1", downloaded, progress, cancellationToken);
        var lines = ReadLines(downloaded);
        await output.WriteLineAsync($"   {lines.Count - 1} rows scored in {watch.Elapsed.TotalSeconds:0.0} s; the first ones:");
        foreach (var line in lines.Take(4))
        {
            await output.WriteLineAsync("   | " + line);
        }

        await output.WriteLineAsync();

        // 3. Throttling: the gateway answers 429 with Retry-After; the client waits that long and sends the call again.
        await output.WriteLineAsync("3. A throttled call");
        var before = retries.Count;
        if (target.Emulator is { } emulator)
        {
            emulator.Faults.Add(
                EmulatorRoute.Execute,
                EmulatorFault.Status(429, times: 1, retryAfter: TimeSpan.FromSeconds(1), body: FaultBody.Gateway));
            await output.WriteLineAsync("   The emulated gateway will answer the next call with 429 Too Many Requests, Retry-After: 1");
        }
        else
        {
            await output.WriteLineAsync("   (against your service a 429 happens only when you exceed its rate limit; this call is likely to succeed first time)");
        }

        watch.Restart();
        var again = await client.ExecuteAsync(new ScoringTable("Col2").AddRow("This is a good day"), cancellationToken);
        var retried = retries.Count - before;
        await output.WriteLineAsync(
            $"   Scored after {retried} {(retried == 1 ? "retry" : "retries")} in {watch.Elapsed.TotalSeconds:0.0} s: [{string.Join(", ", HashingFeatures(again[0]))}]");

        return new QuickstartResult(features, lines.Count - 1, lines.Take(4).ToArray(), job.JobId, retried, onlineFeatures);
    }

    private static int[] HashingFeatures(ScoringRow row) =>
        Enumerable.Range(0, 8).Select(j => row.GetInt32($"Col2_HashingFeature.{j}")).ToArray();

    private static List<string> ReadLines(MemoryStream stream)
    {
        stream.Position = 0;
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    /// <summary>Prints each step of the batch run as it happens (synchronously, so lines stay in order).</summary>
    private sealed class StatusLines(TextWriter output, Stopwatch watch) : IProgress<BatchJobProgress>
    {
        private BatchJobStage? _lastTransfer;

        public void Report(BatchJobProgress value)
        {
            // Uploads and downloads report every block; one line each is enough here.
            if (value.Stage is BatchJobStage.Uploading or BatchJobStage.Downloading)
            {
                if (_lastTransfer == value.Stage)
                {
                    return;
                }

                _lastTransfer = value.Stage;
            }

            var text = value.Stage switch
            {
                BatchJobStage.Uploading => $"uploading {value.BlobName}" + (value.TotalBytes is { } total ? $" ({total:N0} bytes)" : string.Empty),
                BatchJobStage.Submitted => $"submitted job {value.JobId}",
                BatchJobStage.Started => "started",
                BatchJobStage.StatusChanged => $"status: {value.State}",
                BatchJobStage.Downloading => $"downloading {value.BlobName}",
                _ => value.ToString(),
            };
            output.WriteLine($"   [{watch.Elapsed.TotalSeconds,5:0.0} s] {text}");
        }
    }
}

/// <summary>What the quickstart saw, for tests.</summary>
public sealed record QuickstartResult(
    IReadOnlyList<int> Features, int BatchRowCount, IReadOnlyList<string> FirstOutputLines, string JobId, long RetriesOnThrottledCall, IReadOnlyList<int>? OnlineFeatures = null);
