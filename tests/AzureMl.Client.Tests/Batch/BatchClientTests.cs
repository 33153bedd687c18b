using System.Text.Json;
using AzureMl.Client.Batch;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Batch;

public sealed class BatchClientTests : IDisposable
{
    private const string JobId = "539d0bc2fde945b6ac986b851d0000f0";
    private readonly FakeService _service = new();
    private readonly AzureMlClient _client;

    public BatchClientTests() => _client = _service.CreateClient();

    public void Dispose() => _service.Dispose();

    private static BatchJobRequest SampleRequest()
    {
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "mycontainer", "input.csv");
        request.Outputs["output1"] = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "mycontainer", "output.csv");
        request.GlobalParameters["threshold"] = "0.5";
        return request;
    }

    [Fact]
    public async Task SubmitJobAsync_SendsExactRequest_ReturnsId()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("\"" + JobId + "\""));

        var id = await _client.SubmitJobAsync(SampleRequest());

        id.Should().Be(JobId);
        var entry = _service.Server!.LogEntries.Should().ContainSingle().Subject.RequestMessage;
        entry.Method.Should().Be("POST");
        entry.AbsolutePath.Should().Be(FakeService.ServicePath + "/jobs");
        entry.RawQuery!.TrimStart('?').Should().Be("api-version=2.0");
        entry.Headers!["Authorization"].Should().Equal("Bearer " + TestIds.ApiKey);
        entry.Headers!["Content-Type"].Single().Should().StartWith("application/json");
        using var body = JsonDocument.Parse(entry.Body!);
        body.RootElement.GetProperty("Inputs").GetProperty("input1").GetProperty("ConnectionString").GetString().Should().Be(TestIds.StorageConnectionString);
        body.RootElement.GetProperty("Inputs").GetProperty("input1").GetProperty("RelativeLocation").GetString().Should().Be("mycontainer/input.csv");
        body.RootElement.GetProperty("Outputs").GetProperty("output1").GetProperty("RelativeLocation").GetString().Should().Be("mycontainer/output.csv");
        body.RootElement.GetProperty("GlobalParameters").GetProperty("threshold").GetString().Should().Be("0.5");
        body.RootElement.TryGetProperty("Input", out _).Should().BeFalse();
    }

    [Fact]
    public async Task SubmitJobAsync_BothInputForms_ThrowsBeforeSending()
    {
        var request = SampleRequest();
        request.Input = request.Inputs["input1"];

        var act = () => _client.SubmitJobAsync(request);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("request");
        _service.Server!.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task SubmitJobAsync_Server500_SentExactlyOnceAndOutcomeUnknown()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("{\"error\":{\"code\":\"InternalError\",\"message\":\"boom\"}}"));

        var act = () => _client.SubmitJobAsync(SampleRequest());

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.Operation.Should().Be(AzureMlOperation.SubmitJob);
        ex.Message.Should().NotContain(TestIds.StorageAccountKey);
        _service.Server!.LogEntries.Should().HaveCount(1);
    }

    [Theory]
    [InlineData("\"../other\"")]
    [InlineData("\"abc/def\"")]
    [InlineData("\"a?b\"")]
    [InlineData("\"\"")]
    [InlineData("{\"id\":\"x\"}")]
    public async Task SubmitJobAsync_UnsafeOrMissingId_ThrowsOutcomeUnknown(string body)
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(body));

        var act = () => _client.SubmitJobAsync(SampleRequest());

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.Message.Should().Contain("job id");
    }

    [Theory]
    [InlineData(200)]
    [InlineData(204)]
    public async Task StartJobAsync_SendsExactRequest_AcceptsSuccess(int status)
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status));

        await _client.StartJobAsync(JobId);

        var entry = _service.Server!.LogEntries.Should().ContainSingle().Subject.RequestMessage;
        entry.Method.Should().Be("POST");
        entry.RawQuery!.TrimStart('?').Should().Be("api-version=2.0");
        entry.Body.Should().BeNullOrEmpty();
        entry.Headers!["Authorization"].Should().Equal("Bearer " + TestIds.ApiKey);
    }

    [Fact]
    public async Task StartJobAsync_Server504_SentOnceOutcomeUnknownWithJobId()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(504));

        var act = () => _client.StartJobAsync(JobId);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.JobId.Should().Be(JobId);
        _service.Server!.LogEntries.Should().HaveCount(1);
    }

    [Fact]
    public async Task StartJobAsync_NotStartable_ThrowsWithDetailCode()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("{\"error\":{\"code\":\"InvalidOperation\",\"message\":\"Cannot start job.\",\"details\":[{\"code\":\"CannotStartJob\",\"message\":\"The job is Running.\"}]}}"));

        var act = () => _client.StartJobAsync(JobId);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.IsOutcomeUnknown.Should().BeFalse();
        ex.DetailCode.Should().Be("CannotStartJob");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("")]
    public async Task JobCalls_UnsafeJobId_ThrowArgumentException(string jobId)
    {
        await FluentActions.Awaiting(() => _client.StartJobAsync(jobId)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _client.GetJobStatusAsync(jobId)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _client.DeleteJobAsync(jobId)).Should().ThrowAsync<ArgumentException>();
        FluentActions.Invoking(() => _client.GetBatchJob(jobId)).Should().Throw<ArgumentException>();
        _service.Server!.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task GetJobStatusAsync_Finished_ParsesResults()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""
                {"StatusCode":"Finished","Results":{"output1":{"ConnectionString":null,"RelativeLocation":"results/output1.csv",
                "BaseLocation":"https://acct.blob.core.windows.net/","SasBlobToken":"?sv=2020&sr=b&sig=SECRET&sp=r"}},"Details":null}
                """));

        var status = await _client.GetJobStatusAsync(JobId);

        status.JobId.Should().Be(JobId);
        status.State.Should().Be(BatchJobState.Finished);
        status.IsCompleted.Should().BeTrue();
        status.Details.Should().BeNull();
        status.Results["output1"].GetSasUri().AbsoluteUri.Should().Be("https://acct.blob.core.windows.net/results/output1.csv?sv=2020&sr=b&sig=SECRET&sp=r");
        var entry = _service.Server!.LogEntries.Should().ContainSingle().Subject.RequestMessage;
        entry.Method.Should().Be("GET");
        entry.RawQuery!.TrimStart('?').Should().Be("api-version=2.0");
    }

    [Fact]
    public async Task GetJobStatusAsync_SeveralOutputs_ReturnsEachResult()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""
                {"StatusCode":4,"Results":{
                "output1":{"RelativeLocation":"/results/a.csv","BaseLocation":"https://acct.blob.core.windows.net","SasBlobToken":"?sig=1"},
                "output2":{"RelativeLocation":"results/b.ilearner","BaseLocation":"https://acct.blob.core.windows.net/","SasBlobToken":"?sig=2"}}}
                """));

        var status = await _client.GetJobStatusAsync(JobId);

        status.Results.Keys.Should().BeEquivalentTo("output1", "output2");
        status.Results["output1"].GetSasUri().AbsoluteUri.Should().Be("https://acct.blob.core.windows.net/results/a.csv?sig=1");
        status.Results["output2"].GetSasUri().AbsoluteUri.Should().Be("https://acct.blob.core.windows.net/results/b.ilearner?sig=2");
    }

    [Theory]
    [InlineData("2", BatchJobState.Failed)]
    [InlineData("\"cancelled\"", BatchJobState.Cancelled)]
    [InlineData("\"RUNNING\"", BatchJobState.Running)]
    public async Task GetJobStatusAsync_IntegerOrMixedCase_Parses(string code, BatchJobState expected)
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"StatusCode\":" + code + ",\"Results\":null,\"Details\":\"why\"}"));

        var status = await _client.GetJobStatusAsync(JobId);

        status.State.Should().Be(expected);
        status.Details.Should().Be("why");
    }

    [Fact]
    public async Task GetJobStatusAsync_UnknownState_ThrowsClearError()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"StatusCode\":\"Paused\",\"Results\":null,\"Details\":null}"));

        var act = () => _client.GetJobStatusAsync(JobId);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.ErrorCode.Should().Be("UnknownJobState");
        ex.JobId.Should().Be(JobId);
        ex.Message.Should().Contain("'Paused'").And.Contain("NotStarted, Running, Failed, Cancelled or Finished");
    }

    [Fact]
    public async Task GetJobStatusAsync_MissingStatusCode_ThrowsMalformed()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"Results\":null}"));

        var act = () => _client.GetJobStatusAsync(JobId);

        (await act.Should().ThrowAsync<AzureMlException>()).Which.ErrorCode.Should().Be("InvalidResponseBody");
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    public async Task DeleteJobAsync_SendsExactRequest(int status, bool expected)
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingDelete())
            .RespondWith(Response.Create().WithStatusCode(status));

        var deleted = await _client.DeleteJobAsync(JobId);

        deleted.Should().Be(expected);
        var entry = _service.Server!.LogEntries.Should().ContainSingle().Subject.RequestMessage;
        entry.Method.Should().Be("DELETE");
        entry.RawQuery!.TrimStart('?').Should().Be("api-version=2.0");
    }

    [Fact]
    public async Task DeleteJobAsync_JobNotFound_ReturnsFalse()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingDelete())
            .RespondWith(Response.Create().WithStatusCode(404).WithBody("{\"error\":{\"code\":\"NotFound\",\"message\":\"Job not found.\"}}"));

        (await _client.DeleteJobAsync(JobId)).Should().BeFalse();
    }

    [Fact]
    public async Task DeleteJobAsync_ServiceNotFound_Throws()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingDelete())
            .RespondWith(Response.Create().WithStatusCode(404).WithBody("{\"error\":{\"code\":\"NotFound\",\"message\":\"No service.\",\"details\":[{\"code\":\"WebServiceNotFound\"}]}}"));

        var act = () => _client.DeleteJobAsync(JobId);

        (await act.Should().ThrowAsync<AzureMlException>()).Which.Status.Should().Be(404);
    }

    [Fact]
    public async Task SubmitAndStartJobAsync_StartRefused_DeletesSubmittedJob()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("\"" + JobId + "\""));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("{\"error\":{\"code\":\"InvalidOperation\",\"message\":\"no\"}}"));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId).UsingDelete())
            .RespondWith(Response.Create().WithStatusCode(200));

        var act = () => _client.SubmitAndStartJobAsync(SampleRequest());

        await act.Should().ThrowAsync<AzureMlException>();
        _service.Server!.LogEntries.Select(e => e.RequestMessage.Method).Should().Equal("POST", "POST", "DELETE");
    }

    [Fact]
    public async Task SubmitAndStartJobAsync_Success_ReturnsOperationForJob()
    {
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("\"" + JobId + "\""));
        _service.Server!.Given(Request.Create().WithPath(FakeService.ServicePath + "/jobs/" + JobId + "/start").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200));

        var operation = await _client.SubmitAndStartJobAsync(SampleRequest());

        operation.Id.Should().Be(JobId);
        operation.HasCompleted.Should().BeFalse();
        FluentActions.Invoking(() => operation.Value).Should().Throw<InvalidOperationException>();
    }
}
