using System.Threading.Channels;
using AzureMl.Client.Batch;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Batch;

/// <summary>A fake clock that also tells the test each delay the code under test asks for.</summary>
internal sealed class RecordingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    public async Task<TimeSpan> NextTimerAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _timers.Reader.ReadAsync(cts.Token);
    }
}

public sealed class BatchJobOperationTests : IDisposable
{
    private const string JobId = "job0123";
    private const string PlainText = "text/plain; charset=utf-8";
    private readonly RecordingTimeProvider _time = new();
    private readonly FakeService _service;
    private readonly AzureMlClient _client;

    public BatchJobOperationTests()
    {
        _service = new FakeService(Transport.InMemory, _time);
        _client = _service.CreateClient();
    }

    public void Dispose() => _service.Dispose();

    [Fact]
    public async Task WaitForCompletionAsync_Defaults_BacksOffFromOneSecondToCap()
    {
        for (var i = 0; i < 12; i++)
        {
            _service.ThenStatus(i < 2 ? "NotStarted" : "Running");
        }

        _service.ThenStatus("Finished");
        var operation = _client.GetBatchJob(JobId);

        var wait = operation.WaitForCompletionAsync();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 12; i++)
        {
            var delay = await _time.NextTimerAsync();
            delays.Add(delay);
            _time.Advance(delay);
        }

        var status = await wait;

        status.State.Should().Be(BatchJobState.Finished);
        operation.HasCompleted.Should().BeTrue();
        operation.Value.Should().BeSameAs(status);
        delays.Select(d => d.TotalMilliseconds).Should().Equal(1000, 1500, 2250, 3375, 5062, 7593, 11390, 17085, 25628, 30000, 30000, 30000);
        _service.Calls.Should().Be(13);
    }

    [Fact]
    public async Task WaitForCompletionAsync_PollsAtTheScheduledTimes()
    {
        _service.ThenStatus("Running").ThenStatus("Running").ThenStatus("Finished");
        var wait = _client.GetBatchJob(JobId).WaitForCompletionAsync(new BatchPollingOptions { InitialDelay = TimeSpan.FromSeconds(2), BackoffFactor = 2 }, CancellationToken.None);

        (await _service.NextAsync()).At.Should().Be(TimeSpan.Zero);
        _time.Advance(await _time.NextTimerAsync());
        (await _service.NextAsync()).At.Should().Be(TimeSpan.FromSeconds(2));
        _time.Advance(await _time.NextTimerAsync());
        (await _service.NextAsync()).At.Should().Be(TimeSpan.FromSeconds(6));
        (await wait).State.Should().Be(BatchJobState.Finished);
    }

    [Fact]
    public async Task WaitForCompletionAsync_RetryAfterOnStatus_ReplacesNextDelay()
    {
        _service.ThenStatus("Running", retryAfter: TimeSpan.FromSeconds(10)).ThenStatus("Running").ThenStatus("Finished");
        var wait = _client.GetBatchJob(JobId).WaitForCompletionAsync();

        var first = await _time.NextTimerAsync();
        _time.Advance(first);
        var second = await _time.NextTimerAsync();
        _time.Advance(second);
        await wait;

        first.Should().Be(TimeSpan.FromSeconds(10));
        second.Should().Be(TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task WaitForCompletionAsync_DecoratedClient_SameClockAndRetryAfterAsTheRealOne()
    {
        // A user's decorator of IAzureMlClient: the operation polls through the public method and gets the same
        // Retry-After and, rehydrated with it, the same clock (no cast to the concrete client anywhere).
        _service.ThenStatus("Running", retryAfter: TimeSpan.FromSeconds(10)).ThenStatus("Finished");
        var decorated = new AzureMl.Client.Tests.BulkScoring.ForwardingClient(_client);
        var wait = BatchJobOperation.Rehydrate(decorated, JobId, _time).WaitForCompletionAsync();

        var first = await _time.NextTimerAsync();
        _time.Advance(first);
        await wait;

        first.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitForCompletionAsync_RetryAfterIgnoredWhenDisabled()
    {
        _service.ThenStatus("Running", retryAfter: TimeSpan.FromSeconds(10)).ThenStatus("Finished");
        var wait = _client.GetBatchJob(JobId).WaitForCompletionAsync(new BatchPollingOptions { HonorRetryAfter = false }, CancellationToken.None);

        var first = await _time.NextTimerAsync();
        _time.Advance(first);
        await wait;

        first.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task WaitForCompletionAsync_ThrottledPoll_WaitsRetryAfterAndContinues()
    {
        _service.Then(new FakeAnswer(WireEnd.Answer, 503, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"busy\"}}", PlainText, ExtraHeaders: "Retry-After: 7"))
            .ThenStatus("Finished");
        var wait = _client.GetBatchJob(JobId).WaitForCompletionAsync();

        var first = await _time.NextTimerAsync();
        _time.Advance(first);

        (await wait).State.Should().Be(BatchJobState.Finished);
        first.Should().Be(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task WaitForCompletionAsync_Cancelled_StopsWaitingWithoutDeletingJob()
    {
        _service.ThenStatus("Running");
        using var cts = new CancellationTokenSource();
        var operation = _client.GetBatchJob(JobId);
        var wait = operation.WaitForCompletionAsync(cts.Token);

        await _time.NextTimerAsync();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => wait).Should().ThrowAsync<OperationCanceledException>();
        _service.Calls.Should().Be(1);
        operation.Status!.State.Should().Be(BatchJobState.Running);
        operation.HasCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task WaitForCompletionAsync_Failed_ReturnsStatusWithDetails()
    {
        _service.ThenStatus("Failed", details: "Error 1000: could not parse the CSV");

        var status = await _client.GetBatchJob(JobId).WaitForCompletionAsync();

        status.State.Should().Be(BatchJobState.Failed);
        status.Details.Should().Contain("could not parse the CSV");
        FluentActions.Invoking(() => status.EnsureSucceeded()).Should().Throw<BatchJobFailedException>()
            .Which.Details.Should().Contain("could not parse the CSV");
    }

    [Fact]
    public async Task WaitForCompletionAsync_AlreadyCompleted_MakesNoCall()
    {
        _service.ThenStatus("Finished");
        var operation = _client.GetBatchJob(JobId);
        await operation.UpdateStatusAsync();

        var status = await operation.WaitForCompletionAsync();

        status.State.Should().Be(BatchJobState.Finished);
        _service.Calls.Should().Be(1);
    }

    [Fact]
    public async Task CancelAsync_SendsDelete()
    {
        _service.Then(FakeAnswer.Empty());

        var deleted = await _client.GetBatchJob(JobId).CancelAsync();

        deleted.Should().BeTrue();
        var request = await _service.NextAsync();
        request.Method.Should().Be("DELETE");
        request.Path.Should().EndWith("/jobs/" + JobId);
        request.Operation.Should().Be(AzureMlOperation.DeleteJob);
    }

    [Fact]
    public async Task Rehydrate_NewClientInstance_FinishesJob()
    {
        using var otherService = new FakeService(Transport.InMemory, _time).ThenStatus("Running").ThenStatus("Finished");
        var otherClient = otherService.CreateClient();

        var operation = BatchJobOperation.Rehydrate(otherClient, JobId, _time);
        var wait = operation.WaitForCompletionAsync();
        _time.Advance(await _time.NextTimerAsync());

        (await wait).State.Should().Be(BatchJobState.Finished);
        operation.Id.Should().Be(JobId);
        otherService.Calls.Should().Be(2);
        _service.Calls.Should().Be(0);
    }

    [Fact]
    public async Task Requests_AreStampedWithTheirOperation()
    {
        _service.Then(new FakeAnswer(WireEnd.Answer, 200, "\"abc\"", PlainText))
            .Then(FakeAnswer.Empty(204))
            .ThenStatus("Running");
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "i.csv");

        await _client.SubmitJobAsync(request);
        await _client.StartJobAsync("abc");
        await _client.GetJobStatusAsync("abc");

        var ops = new List<AzureMlOperation>();
        for (var i = 0; i < 3; i++)
        {
            var r = await _service.NextAsync();
            r.Operation.Should().NotBeNull();
            ops.Add(r.Operation!.Value);
        }

        ops.Should().Equal(AzureMlOperation.SubmitJob, AzureMlOperation.StartJob, AzureMlOperation.GetJobStatus);
    }
}
