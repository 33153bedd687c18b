using System.Text;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Batch;

/// <summary>The one-call run against a scripted service (WireMock) and real blob storage (Azurite): what is cleaned up when a step fails.</summary>
[Collection(BatchEmulatorCollection.Name)]
public sealed class BatchRunCleanupTests(BatchEmulatorFixture fixture) : IDisposable
{
    private const string JobId = "0000aaaa1111bbbb2222cccc3333dddd";
    private readonly FakeService _service = new();

    public void Dispose() => _service.Dispose();

    private BatchRunOptions Options() => new()
    {
        StorageConnectionString = fixture.Azurite.ConnectionString,
        ContainerName = "cleanup-" + Guid.NewGuid().ToString("N")[..12],
        Polling = new BatchPollingOptions { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) },
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

    private static BatchJobInput Input() => BatchJobInput.FromStream(new MemoryStream(Encoding.UTF8.GetBytes("Col2\nhello\n")));

    [Fact]
    public async Task RunBatchJobAsync_SubmitOutcomeUnknown_SentOnceAndInputBlobDeleted()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost()).RespondWith(Response.Create().WithStatusCode(502));
        var options = Options();

        var act = () => _service.CreateClient().RunBatchJobAsync(Input(), options);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.Message.Should().NotContain(Emulator.AzuriteInstance.AccountKey);
        ex.BatchRunCleanup!.JobId.Should().BeNull();
        ex.BatchRunCleanup.InputBlobFate.Should().Be(BatchInputBlobFate.Deleted);
        _service.Server!.LogEntries.Should().HaveCount(1);
        (await BlobsAsync(options)).Should().BeEmpty();
    }

    [Fact]
    public async Task RunBatchJobAsync_StartOutcomeUnknown_DeletesJobAndInputAndSaysSo()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("\"" + JobId + "\""));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost()).RespondWith(Response.Create().WithStatusCode(504));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingDelete()).RespondWith(Response.Create().WithStatusCode(200));
        var options = Options();

        var act = () => _service.CreateClient().RunBatchJobAsync(Input(), options);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.JobId.Should().Be(JobId);
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.Message.Should().Contain($"Batch job {JobId} was deleted");
        _service.Server!.LogEntries.Select(e => e.RequestMessage.Method).Should().Equal("POST", "POST", "DELETE");
        (await BlobsAsync(options)).Should().BeEmpty();
    }

    [Fact]
    public async Task RunBatchJobAsync_StatusFailsAndDeleteJobOnAbortOff_KeepsJobAndInputAndSaysSo()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("\"" + JobId + "\""));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingGet()).RespondWith(Response.Create().WithStatusCode(401).WithBody("{\"error\":{\"code\":\"Unauthorized\",\"message\":\"no\"}}"));
        var options = Options();
        options.DeleteJobOnAbort = false;

        var act = () => _service.CreateClient().RunBatchJobAsync(Input(), options);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.Status.Should().Be(401);
        ex.Message.Should().Contain("left running").And.Contain("input blob").And.Contain("kept");
        ex.JobId.Should().Be(JobId);
        ex.BatchRunCleanup!.JobMayStillRun.Should().BeTrue();
        ex.BatchRunCleanup.JobDeleted.Should().BeFalse();
        ex.BatchRunCleanup.InputBlobFate.Should().Be(BatchInputBlobFate.KeptWhileJobMayRead);
        _service.Server!.LogEntries.Should().NotContain(e => e.RequestMessage.Method == "DELETE");
        (await BlobsAsync(options)).Should().ContainSingle();
    }

    [Fact]
    public async Task RunBatchJobAsync_JobFailed_ThrowsWithDetailsAndDeletesInput()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("\"" + JobId + "\""));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody(FakeAnswer.StatusJson("Failed", "Error 0085: bad row 3")));
        var options = Options();

        var act = () => _service.CreateClient().RunBatchJobAsync(Input(), options);

        var ex = (await act.Should().ThrowAsync<BatchJobFailedException>()).Which;
        ex.Details.Should().Be("Error 0085: bad row 3");
        ex.JobId.Should().Be(JobId);
        (await BlobsAsync(options)).Should().BeEmpty();
    }

    [Fact]
    public async Task RunBatchJobAsync_SendsConnectionStringReferencesInJobBody()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost()).RespondWith(Response.Create().WithStatusCode(400).WithBody("{\"error\":{\"code\":\"BadArgument\",\"message\":\"stop\"}}"));
        var options = Options();
        options.GlobalParameters["p"] = "1";
        options.OutputNames.Add("output2");
        options.OutputBlobNames["output2"] = "chosen/second.csv";

        await FluentActions.Awaiting(() => _service.CreateClient().RunBatchJobAsync(Input(), options)).Should().ThrowAsync<AzureMlException>();

        using var body = System.Text.Json.JsonDocument.Parse(_service.Server!.LogEntries.Single().RequestMessage.Body!);
        var input = body.RootElement.GetProperty("Inputs").GetProperty("input1");
        input.GetProperty("ConnectionString").GetString().Should().Be(fixture.Azurite.ConnectionString);
        input.GetProperty("RelativeLocation").GetString().Should().MatchRegex("^" + options.ContainerName + "/[0-9a-f]{32}/input1\\.csv$");
        body.RootElement.GetProperty("Outputs").GetProperty("output1").GetProperty("RelativeLocation").GetString().Should().EndWith("/output1.csv");
        body.RootElement.GetProperty("Outputs").GetProperty("output2").GetProperty("RelativeLocation").GetString().Should().Be(options.ContainerName + "/chosen/second.csv");
        body.RootElement.GetProperty("GlobalParameters").GetProperty("p").GetString().Should().Be("1");
    }
}
