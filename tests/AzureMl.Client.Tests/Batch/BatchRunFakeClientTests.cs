using System.Collections.Concurrent;
using System.Text;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;

namespace AzureMl.Client.Tests.Batch;

/// <summary>
/// The one-call run on an <see cref="IAzureMlClient"/> a user wrote (not an <see cref="AzureMlClient"/>), against real blob
/// storage (Azurite): the run reaches the service only through the interface's job-lifecycle methods, and kept input
/// blobs are remembered per client instance.
/// </summary>
[Collection(BatchEmulatorCollection.Name)]
public sealed class BatchRunFakeClientTests(BatchEmulatorFixture fixture)
{
    [Fact]
    public async Task RunBatchJobAsync_UserDecoratorOverEmulator_RunsThroughTheInterfaceMethods()
    {
        var client = new RecordingClient(fixture.CreateClient());
        var options = Options();
        options.DeleteJobOnCompletion = true;

        var result = await client.RunBatchJobAsync(Input(), options);

        result.Status.State.Should().Be(BatchJobState.Finished);
        using var output = new MemoryStream();
        await result.DownloadOutputAsync("output1", output);
        Encoding.UTF8.GetString(output.ToArray()).Should().StartWith("Col2,");
        result.InputBlobDeleted.Should().BeTrue();
        result.JobDeleted.Should().BeTrue();
        var calls = client.Calls.ToList();
        calls.Should().StartWith(["SubmitJobAsync", "StartJobAsync", "GetJobStatusAsync"]);
        calls.Should().EndWith("DeleteJobAsync " + result.JobId);
        calls.Should().OnlyContain(c => c.StartsWith("SubmitJobAsync", StringComparison.Ordinal) || c.StartsWith("StartJobAsync", StringComparison.Ordinal)
            || c.StartsWith("GetJobStatusAsync", StringComparison.Ordinal) || c.StartsWith("DeleteJobAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunBatchJobAsync_InMemoryFakeJobCancelledWhileRunning_KeepsInputUntilThatClientSeesTheJobEnded()
    {
        using var cts = new CancellationTokenSource();
        var client = new InMemoryJobClient { OnStatus = cts.Cancel };
        var options = Options();
        options.DeleteJobOnAbort = false;

        var act = () => client.RunBatchJobAsync(Input(), options, cancellationToken: cts.Token);

        var ex = (await act.Should().ThrowAsync<BatchRunCanceledException>()).Which;
        ex.JobId.Should().Be(InMemoryJobClient.JobId);
        ex.Cleanup.JobMayStillRun.Should().BeTrue();
        ex.Cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.KeptWhileJobMayRead);
        ex.Message.Should().Contain($"Batch job {InMemoryJobClient.JobId} was left running");
        client.Calls.Should().Equal("SubmitJobAsync", "StartJobAsync", "GetJobStatusAsync");
        (await BlobsAsync(options)).Should().Equal(ex.Cleanup.InputBlobName);

        (await client.CleanUpKeptInputsAsync()).Should().Be(0, "the job is still running");
        client.State = "Finished";
        (await new InMemoryJobClient { State = "Finished" }.CleanUpKeptInputsAsync()).Should().Be(0, "another client instance kept nothing");
        (await BlobsAsync(options)).Should().Equal(ex.Cleanup.InputBlobName);
        (await client.CleanUpKeptInputsAsync()).Should().Be(1);
        (await BlobsAsync(options)).Should().BeEmpty();
    }

    private static BatchJobInput Input() => BatchJobInput.FromStream(new MemoryStream(Encoding.UTF8.GetBytes("Col2\nhello\n")));

    private BatchRunOptions Options() => new()
    {
        StorageConnectionString = fixture.Azurite.ConnectionString,
        ContainerName = "fake-" + Guid.NewGuid().ToString("N")[..12],
        Polling = new BatchPollingOptions { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
    };

    private async Task<List<string>> BlobsAsync(BatchRunOptions options)
    {
        var names = new List<string>();
        await foreach (var blob in new BlobContainerClient(fixture.Azurite.ConnectionString, options.ContainerName, new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion)).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>A user's decorator: records each batch call and passes it on; scoring is not used by a batch run.</summary>
    private sealed class RecordingClient(IAzureMlClient inner) : IAzureMlClient
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public Uri ServiceUri => inner.ServiceUri;

        public Task<ScoringResult> ExecuteAsync(ScoringRequest request, ScoringOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ScoringOutput> ExecuteAsync(ScoringTable input, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<SwaggerScoringResult> ExecuteSwaggerAsync(SwaggerScoringRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> ExecuteSwaggerAsync(IEnumerable<IReadOnlyDictionary<string, string?>> rows, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<string> SubmitJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("SubmitJobAsync");
            return inner.SubmitJobAsync(request, cancellationToken);
        }

        public Task StartJobAsync(string jobId, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("StartJobAsync");
            return inner.StartJobAsync(jobId, cancellationToken);
        }

        public Task<BatchJobStatus> GetJobStatusAsync(string jobId, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("GetJobStatusAsync");
            return inner.GetJobStatusAsync(jobId, cancellationToken);
        }

        public Task<bool> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("DeleteJobAsync " + jobId);
            return inner.DeleteJobAsync(jobId, cancellationToken);
        }

        public Task<BatchJobOperation> SubmitAndStartJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public BatchJobOperation GetBatchJob(string jobId) => throw new NotSupportedException();
    }

    /// <summary>A fake with no service behind it: one job, whose state the test sets.</summary>
    private sealed class InMemoryJobClient : IAzureMlClient
    {
        public const string JobId = "fake-job-1";

        public List<string> Calls { get; } = [];

        public string State { get; set; } = "Running";

        public Action? OnStatus { get; init; }

        public Uri ServiceUri { get; } = new("https://fake.invalid/workspaces/w/services/s");

        public Task<ScoringResult> ExecuteAsync(ScoringRequest request, ScoringOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ScoringOutput> ExecuteAsync(ScoringTable input, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<SwaggerScoringResult> ExecuteSwaggerAsync(SwaggerScoringRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> ExecuteSwaggerAsync(IEnumerable<IReadOnlyDictionary<string, string?>> rows, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<string> SubmitJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
        {
            Calls.Add("SubmitJobAsync");
            return Task.FromResult(JobId);
        }

        public Task StartJobAsync(string jobId, CancellationToken cancellationToken = default)
        {
            Calls.Add("StartJobAsync");
            return Task.CompletedTask;
        }

        public Task<BatchJobStatus> GetJobStatusAsync(string jobId, CancellationToken cancellationToken = default)
        {
            Calls.Add("GetJobStatusAsync");
            OnStatus?.Invoke();
            return Task.FromResult(new BatchJobStatus(jobId, Enum.Parse<BatchJobState>(State), null, null));
        }

        public Task<bool> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BatchJobOperation> SubmitAndStartJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public BatchJobOperation GetBatchJob(string jobId) => throw new NotSupportedException();
    }
}
