using System.Text;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Emulator;

namespace AzureMl.Client.Tests.Batch;

[Collection(BatchEmulatorCollection.Name)]
public sealed class BatchEmulatorTests(BatchEmulatorFixture fixture)
{
    private static readonly BatchPollingOptions FastPolling = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(250) };

    private static MemoryStream Csv(int rows)
    {
        var sb = new StringBuilder("Col2\n");
        for (var i = 0; i < rows; i++)
        {
            sb.Append("This is sentence number ").Append(i).Append(", a good day\n".Replace(",", string.Empty, StringComparison.Ordinal));
        }

        return new MemoryStream(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private BatchRunOptions Options(string? container = null) => new()
    {
        StorageConnectionString = fixture.Azurite.ConnectionString,
        ContainerName = container ?? "batch-" + Guid.NewGuid().ToString("N")[..12],
        Polling = FastPolling,
    };

    private BlobContainerClient ContainerOf(BatchRunOptions options) => new(fixture.Azurite.ConnectionString, options.ContainerName, new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion));

    private static async Task<string[]> ReadLinesAsync(BatchJobResult result, string output)
    {
        using var buffer = new MemoryStream();
        await result.DownloadOutputAsync(output, buffer);
        return Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task RunBatchJobAsync_FiveThousandRowCsv_ScoresEveryRowAndCleansUp()
    {
        var client = fixture.CreateClient();
        var options = Options();
        options.DeleteJobOnCompletion = true;
        var progress = new ListProgress<BatchJobProgress>();

        var result = await client.RunBatchJobAsync(BatchJobInput.FromStream(Csv(5000)), options, progress);

        result.Status.State.Should().Be(BatchJobState.Finished);
        result.Outputs.Keys.Should().Equal("output1");
        result.Outputs["output1"].SasBlobToken.Should().NotBeNullOrEmpty();
        var lines = await ReadLinesAsync(result, "output1");
        lines.Should().HaveCount(5001);
        lines[0].Should().StartWith("Col2,Col2_HashingFeature.0");
        lines[1].Should().StartWith("This is sentence number 0 a good day,");

        result.InputBlobDeleted.Should().BeTrue();
        result.JobDeleted.Should().BeTrue();
        var blobs = new List<string>();
        await foreach (var blob in ContainerOf(options).GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        blobs.Should().ContainSingle().Which.Should().EndWith("/output1.csv");
        (await FluentActions.Awaiting(() => client.GetJobStatusAsync(result.JobId)).Should().ThrowAsync<AzureMlException>()).Which.Status.Should().Be(404);

        var stages = progress.Items.Select(p => p.Stage).ToList();
        stages.Should().ContainInOrder(BatchJobStage.Uploading, BatchJobStage.Submitted, BatchJobStage.Started, BatchJobStage.StatusChanged);
        progress.Items.Where(p => p.Stage == BatchJobStage.Uploading).Max(p => p.BytesTransferred).Should().Be(Csv(5000).Length);
        progress.Items.Last(p => p.Stage == BatchJobStage.StatusChanged).State.Should().Be(BatchJobState.Finished);
        progress.Items.Should().OnlyContain(p => !p.ToString().Contains("sig=", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task RunBatchJobAsync_UserContainerClient_UsesGeneratedSasAndDownloadsToFile()
    {
        var client = fixture.CreateClient();
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, "user-" + Guid.NewGuid().ToString("N")[..12], new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion));
        var options = new BatchRunOptions { Container = container, Polling = FastPolling };
        options.OutputBlobNames["output1"] = "results/scored.csv";
        var path = Path.Combine(Path.GetTempPath(), "azureml-batch-" + Guid.NewGuid().ToString("N") + ".csv");
        var downloads = new ListProgress<BatchJobProgress>();

        try
        {
            var result = await client.RunBatchJobAsync(BatchJobInput.FromStream(Csv(300)), options);
            await result.DownloadOutputToFileAsync("output1", path, downloads);

            result.Outputs["output1"].RelativeLocation.Should().Be(container.Name + "/results/scored.csv");
            (await File.ReadAllLinesAsync(path)).Should().HaveCount(301);
            downloads.Items.Should().NotBeEmpty().And.OnlyContain(p => p.Stage == BatchJobStage.Downloading);
            downloads.Items.Max(p => p.BytesTransferred).Should().Be(new FileInfo(path).Length);
            (await container.GetBlobClient("results/scored.csv").ExistsAsync()).Value.Should().BeTrue();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RunBatchJobAsync_FromFile_Works()
    {
        var path = Path.Combine(Path.GetTempPath(), "azureml-batch-in-" + Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllBytesAsync(path, Csv(50).ToArray());
        try
        {
            var result = await fixture.CreateClient().RunBatchJobAsync(BatchJobInput.FromFile(path), Options());
            (await ReadLinesAsync(result, "output1")).Should().HaveCount(51);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RunBatchJobAsync_MalformedCsv_ThrowsFailedWithDetailsAndDeletesInput()
    {
        var client = fixture.CreateClient();
        var options = Options();
        var csv = new MemoryStream(Encoding.UTF8.GetBytes("Col2\ngood row\nbad,row,with,extra\n"));

        var act = () => client.RunBatchJobAsync(BatchJobInput.FromStream(csv), options);

        var ex = (await act.Should().ThrowAsync<BatchJobFailedException>()).Which;
        ex.State.Should().Be(BatchJobState.Failed);
        ex.IsCancelled.Should().BeFalse();
        ex.Details.Should().Contain("malformed");
        ex.Message.Should().Contain(ex.JobId).And.Contain("malformed");
        var names = new List<string>();
        await foreach (var blob in ContainerOf(options).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        names.Should().NotContain(n => n.EndsWith("input1.csv", StringComparison.Ordinal));
        (await client.GetJobStatusAsync(ex.JobId)).Details.Should().Contain("malformed");
    }

    [Fact]
    public async Task CancelAsync_RunningJob_BecomesCancelled()
    {
        var client = fixture.CreateClient(BatchEmulatorFixture.SlowServiceId, BatchEmulatorFixture.SlowServiceKey);
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, "cancel-" + Guid.NewGuid().ToString("N")[..12], new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion));
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("in.csv").UploadAsync(Csv(10));
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, container.Name, "in.csv");

        var operation = await client.SubmitAndStartJobAsync(request);
        (await operation.UpdateStatusAsync()).State.Should().Be(BatchJobState.Running);
        (await operation.CancelAsync()).Should().BeTrue();
        var final = await operation.WaitForCompletionAsync(FastPolling, CancellationToken.None);

        final.State.Should().Be(BatchJobState.Cancelled);
        FluentActions.Invoking(() => final.EnsureSucceeded()).Should().Throw<BatchJobFailedException>().Which.IsCancelled.Should().BeTrue();
    }

    [Fact]
    public async Task RunBatchJobAsync_CallerCancelsWhileRunning_DeletesJobAndInputBlob()
    {
        var client = fixture.CreateClient(BatchEmulatorFixture.SlowServiceId, BatchEmulatorFixture.SlowServiceKey);
        var options = Options();
        using var cts = new CancellationTokenSource();
        var progress = new ActionProgressForTest(p =>
        {
            if (p.Stage == BatchJobStage.StatusChanged && p.State == BatchJobState.Running)
            {
                cts.Cancel();
            }
        });
        var deletesBefore = fixture.Emulator.ReceivedCount(EmulatorRoute.Delete, BatchEmulatorFixture.SlowServiceId);

        var act = () => client.RunBatchJobAsync(BatchJobInput.FromStream(Csv(10)), options, progress, cts.Token);

        var ex = (await act.Should().ThrowAsync<OperationCanceledException>()).Which;
        ex.Message.Should().Contain("was deleted");
        progress.JobId.Should().NotBeNull();
        (await client.GetJobStatusAsync(progress.JobId!)).State.Should().Be(BatchJobState.Cancelled);
        fixture.Emulator.ReceivedCount(EmulatorRoute.Delete, BatchEmulatorFixture.SlowServiceId).Should().Be(deletesBefore + 1);
        var names = new List<string>();
        await foreach (var blob in ContainerOf(options).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        names.Should().BeEmpty();
    }

    [Fact]
    public async Task GetBatchJob_NewClientInstance_FinishesJobStartedElsewhere()
    {
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, "rehydrate-" + Guid.NewGuid().ToString("N")[..12], new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion));
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("in.csv").UploadAsync(Csv(200));
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, container.Name, "in.csv");
        request.Outputs["output1"] = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, container.Name, "out.csv");
        var jobId = (await fixture.CreateClient().SubmitAndStartJobAsync(request)).Id;

        var other = fixture.CreateClient();
        var operation = other.GetBatchJob(jobId);
        var final = await operation.WaitForCompletionAsync(FastPolling, CancellationToken.None);

        final.EnsureSucceeded().Results.Should().ContainKey("output1");
        using var buffer = new MemoryStream();
        await final.Results["output1"].DownloadToAsync(buffer);
        Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(201);
    }

    [Fact]
    public async Task SubmitJobAsync_Emulator500_SentOnceAndOutcomeUnknown()
    {
        var client = fixture.CreateClient();
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, "nowhere", "in.csv");
        var before = fixture.Emulator.ReceivedCount(EmulatorRoute.Submit);
        fixture.Emulator.Faults.Add(EmulatorRoute.Submit, EmulatorFault.Status(500));

        var act = () => client.SubmitJobAsync(request);

        (await act.Should().ThrowAsync<AzureMlException>()).Which.IsOutcomeUnknown.Should().BeTrue();
        fixture.Emulator.ReceivedCount(EmulatorRoute.Submit).Should().Be(before + 1);
    }

    [Fact]
    public async Task SubmitJobAsync_MissingInputBlob_ThrowsBlobNotFound()
    {
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, "missing-" + Guid.NewGuid().ToString("N")[..8], "in.csv");

        var act = () => fixture.CreateClient().SubmitJobAsync(request);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.DetailCode.Should().Be("BlobNotFound");
        ex.Message.Should().NotContain(AzuriteInstance.AccountKey);
    }

    private sealed class ActionProgressForTest(Action<BatchJobProgress> onReport) : IProgress<BatchJobProgress>
    {
        public string? JobId { get; private set; }

        public void Report(BatchJobProgress value)
        {
            JobId ??= value.JobId;
            onReport(value);
        }
    }
}
