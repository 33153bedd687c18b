using System.Net;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Batch;

/// <summary>
/// The one-call run's cleanup against a scripted service behind the real DI handler chain (resilience included), real
/// blob storage (Azurite) and fake time: deletes are tried again until the run's own budget is spent, an input blob kept
/// while its job could read it is deleted once the job ends, and every outcome says so in properties.
/// </summary>
[Collection(BatchEmulatorCollection.Name)]
public sealed class BatchRunCleanupBudgetTests(BatchEmulatorFixture fixture)
{
    private const string JobId = TestIds.JobId;
    private static readonly string JobPath = FakeService.ServicePath + "/jobs/" + JobId;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunBatchJobAsync_StartBadGatewayThenDeleteTimesOutRepeatedly_KeepsDeletingWithinItsBudgetAndDeletesTheJob()
    {
        var service = new ScriptedService();
        service.Start = () => Answer(HttpStatusCode.BadGateway);
        service.Status = () => Answer(HttpStatusCode.OK, FakeAnswer.StatusJson("NotStarted"));
        service.Delete = n => n <= 8 ? Answer(HttpStatusCode.GatewayTimeout) : Answer(HttpStatusCode.OK);
        using var host = Host(service);
        var options = Options();

        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), options));

        var ex = error.Should().BeOfType<AzureMlException>().Subject;
        ex.Operation.Should().Be(AzureMlOperation.StartJob);
        ex.Status.Should().Be(502);
        ex.JobId.Should().Be(JobId);
        ex.Message.Should().Contain($"Batch job {JobId} was deleted");
        service.Deletes.Should().Be(9, "eight 504s are more than the pipeline's four attempts of one delete");
        var cleanup = ex.BatchRunCleanup!;
        cleanup.Should().BeSameAs(BatchRunCleanup.FromException(ex));
        cleanup.JobId.Should().Be(JobId);
        cleanup.JobDeleted.Should().BeTrue();
        cleanup.JobMayStillRun.Should().BeFalse();
        cleanup.InputContainerName.Should().Be(options.ContainerName);
        cleanup.InputBlobName.Should().MatchRegex("^[0-9a-f]{32}/input1\\.csv$");
        cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.Deleted);
        (await BlobsAsync(options)).Should().BeEmpty();
    }

    [Fact]
    public async Task RunBatchJobAsync_StartBadGatewayAndDeleteNeverSucceeds_TriesUntilItsBudgetIsSpentAndKeepsTheInput()
    {
        var service = new ScriptedService();
        service.Start = () => Answer(HttpStatusCode.BadGateway);
        service.Status = () => Answer(HttpStatusCode.OK, FakeAnswer.StatusJson("NotStarted"));
        service.Delete = _ => Answer(HttpStatusCode.GatewayTimeout);
        using var host = Host(service);
        var options = Options();
        options.CleanupTimeout = TimeSpan.FromSeconds(45);
        DateTimeOffset? firstDelete = null;
        service.OnDelete = () => firstDelete ??= _time.GetUtcNow();

        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), options));

        var ex = error.Should().BeOfType<AzureMlException>().Subject;
        (_time.GetUtcNow() - firstDelete!.Value).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(44), "the run's own budget, not the pipeline's attempts, ends the cleanup");
        service.Deletes.Should().BeGreaterThan(8);
        var cleanup = ex.BatchRunCleanup!;
        cleanup.JobDeleted.Should().BeFalse();
        cleanup.JobMayStillRun.Should().BeTrue();
        cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.KeptWhileJobMayRead);
        ex.Message.Should().Contain($"Batch job {JobId} could not be deleted").And.Contain("CleanupTimeout, 45 s").And.Contain($"DeleteJobAsync(\"{JobId}\")");
        (await BlobsAsync(options)).Should().ContainSingle().Which.Should().Be(cleanup.InputBlobName);
    }

    [Fact]
    public async Task RunBatchJobAsync_CancelledAndDeleteFailsWhileJobRunsOn_DeletesInputOnceTheJobEnds()
    {
        using var cts = new CancellationTokenSource();
        var service = new ScriptedService();
        var ended = false;
        service.Status = () =>
        {
            cts.Cancel();
            return Answer(HttpStatusCode.OK, FakeAnswer.StatusJson(Volatile.Read(ref ended) ? "Finished" : "Running"));
        };
        service.Delete = n =>
        {
            if (n == 2)
            {
                Volatile.Write(ref ended, true);
            }

            return Answer(HttpStatusCode.InternalServerError);
        };
        using var host = Host(service);
        var options = Options();

        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), options, cancellationToken: cts.Token));

        var ex = error.Should().BeOfType<BatchRunCanceledException>().Subject;
        ex.Should().BeAssignableTo<OperationCanceledException>();
        ex.CancellationToken.Should().Be(cts.Token);
        ex.JobId.Should().Be(JobId);
        ex.Cleanup.Should().BeSameAs(BatchRunCleanup.FromException(ex));
        ex.Cleanup.JobDeleted.Should().BeFalse();
        ex.Cleanup.JobMayStillRun.Should().BeFalse();
        ex.Cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.Deleted);
        ex.Message.Should().Contain($"Batch job {JobId} could not be deleted").And.Contain("it has ended (Finished)");
        (await BlobsAsync(options)).Should().BeEmpty();
    }

    [Fact]
    public async Task RunBatchJobAsync_CancelledAndJobOutlivesTheBudget_KeepsInputUntilCleanUpKeptInputsAsyncSeesTheJobEnded()
    {
        using var cts = new CancellationTokenSource();
        var service = new ScriptedService();
        var ended = false;
        service.Status = () =>
        {
            cts.Cancel();
            return Answer(HttpStatusCode.OK, FakeAnswer.StatusJson(Volatile.Read(ref ended) ? "Finished" : "Running"));
        };
        service.Delete = _ => Answer(HttpStatusCode.InternalServerError);
        using var host = Host(service);
        var options = Options();

        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), options, cancellationToken: cts.Token));

        var ex = error.Should().BeOfType<BatchRunCanceledException>().Subject;
        ex.JobId.Should().Be(JobId);
        ex.Cleanup.JobMayStillRun.Should().BeTrue();
        ex.Cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.KeptWhileJobMayRead);
        ex.Cleanup.InputBlobReason.Should().Contain("CleanUpKeptInputsAsync");
        ex.Message.Should().Contain($"The input blob {ex.Cleanup.InputBlobName} was kept because job {JobId} may still read it");
        (await BlobsAsync(options)).Should().Equal(ex.Cleanup.InputBlobName);

        (await host.Client.CleanUpKeptInputsAsync()).Should().Be(0, "the job is still running");
        (await BlobsAsync(options)).Should().Equal(ex.Cleanup.InputBlobName);

        Volatile.Write(ref ended, true);
        (await host.Client.CleanUpKeptInputsAsync()).Should().Be(1);
        (await BlobsAsync(options)).Should().BeEmpty();
        (await host.Client.CleanUpKeptInputsAsync()).Should().Be(0, "a deleted blob is forgotten");
    }

    [Fact]
    public async Task RunBatchJobAsync_InputKeptByAnEarlierRun_NextRunDeletesItOnceTheJobEnded()
    {
        using var cts = new CancellationTokenSource();
        var service = new ScriptedService();
        var ended = false;
        service.Status = () =>
        {
            cts.Cancel();
            return Answer(HttpStatusCode.OK, FakeAnswer.StatusJson(Volatile.Read(ref ended) ? "Finished" : "Running"));
        };
        service.Delete = _ => Answer(HttpStatusCode.InternalServerError);
        using var host = Host(service);
        var first = Options();
        var kept = (await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), first, cancellationToken: cts.Token))).Should().BeOfType<BatchRunCanceledException>().Subject;
        kept.Cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.KeptWhileJobMayRead);

        Volatile.Write(ref ended, true);
        service.Submit = () => Answer(HttpStatusCode.BadRequest, "{\"error\":{\"code\":\"BadArgument\",\"message\":\"stop\"}}");
        var second = Options();
        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), second));

        var ex = error.Should().BeOfType<AzureMlException>().Subject;
        ex.Status.Should().Be(400);
        ex.BatchRunCleanup!.JobId.Should().BeNull();
        ex.BatchRunCleanup.InputBlobFate.Should().Be(BatchInputBlobFate.Deleted);
        (await BlobsAsync(first)).Should().BeEmpty("the second run deleted the input the first one kept, its job having ended");
        (await BlobsAsync(second)).Should().BeEmpty();
    }

    [Fact]
    public async Task RunBatchJobAsync_SucceedsButInputDeleteHangs_ReturnsInputBlobNotDeletedWithTheReason()
    {
        var service = new ScriptedService();
        service.Status = () => Answer(HttpStatusCode.OK, FakeAnswer.StatusJson("Finished"));
        using var host = Host(service);
        using var storageHttp = new HttpClient(new HangingDeleteHandler { InnerHandler = new HttpClientHandler() });
        var options = Options();
        options.BlobClientOptions = new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion) { Transport = new HttpClientTransport(storageHttp) };

        var result = await DriveResultAsync(() => host.Client.RunBatchJobAsync(Input(), options));

        result.JobId.Should().Be(JobId);
        result.InputBlobDeleted.Should().BeFalse();
        result.Cleanup.JobId.Should().Be(JobId);
        result.Cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.DeleteFailed);
        result.Cleanup.InputBlobReason.Should().Be("it did not complete within the cleanup budget (BatchRunOptions.CleanupTimeout, 30 s)");
        result.ToString().Should().Contain("InputBlobFate = DeleteFailed");
        (await BlobsAsync(options)).Should().Equal(result.Cleanup.InputBlobName);
    }

    [Fact]
    public async Task RunBatchJobAsync_UploadRefusedAndInputDeleteHangs_StorageErrorSaysSoOnceWrapped()
    {
        var service = new ScriptedService();
        using var host = Host(service);
        using var storageHttp = new HttpClient(new RefusingUploadHandler { InnerHandler = new HangingDeleteHandler { InnerHandler = new HttpClientHandler() } });
        var options = Options();
        options.BlobClientOptions = new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion) { Transport = new HttpClientTransport(storageHttp) };

        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), options));

        var ex = error.Should().BeAssignableTo<Azure.RequestFailedException>().Subject;
        ex.Status.Should().Be(403);
        ex.ErrorCode.Should().Be("AuthorizationFailure");
        ex.Message.Should().StartWith($"Blob storage refused to upload the input blob '{ex.Data[BatchRunCleanup.DataKey].As<BatchRunCleanup>().InputBlobName}'")
            .And.EndWith(" could not be deleted (it did not complete within the cleanup budget (BatchRunOptions.CleanupTimeout, 30 s)); delete it yourself.");
        var storage = ex.InnerException.Should().BeAssignableTo<Azure.RequestFailedException>().Subject;
        storage.InnerException.Should().BeNull("the storage client's exception is wrapped once, not once per note");
        storage.Message.Should().NotContain("could not be deleted");
        var cleanup = BatchRunCleanup.FromException(ex)!;
        cleanup.JobId.Should().BeNull();
        cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.DeleteFailed);
        host.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task RunBatchJobAsync_JobFailed_ExceptionCarriesJobIdAndInputFate()
    {
        var service = new ScriptedService();
        service.Status = () => Answer(HttpStatusCode.OK, FakeAnswer.StatusJson("Failed", "Error 0085: bad row 3"));
        using var host = Host(service);
        var options = Options();

        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), options));

        var ex = error.Should().BeOfType<BatchJobFailedException>().Subject;
        ex.Details.Should().Be("Error 0085: bad row 3");
        ex.BatchRunCleanup!.JobId.Should().Be(JobId);
        ex.BatchRunCleanup.JobMayStillRun.Should().BeFalse();
        ex.BatchRunCleanup.InputBlobFate.Should().Be(BatchInputBlobFate.Deleted);
        BatchRunCleanup.FromException(new InvalidOperationException("wrapped", ex)).Should().BeSameAs(ex.BatchRunCleanup);
    }

    [Fact]
    public async Task RunBatchJobAsync_CancelledBeforeUpload_CarriesNotCreated()
    {
        var service = new ScriptedService();
        using var host = Host(service);
        var options = Options();

        var error = await DriveAsync(() => host.Client.RunBatchJobAsync(Input(), options, cancellationToken: new CancellationToken(true)));

        var ex = error.Should().BeOfType<BatchRunCanceledException>().Subject;
        ex.JobId.Should().BeNull();
        ex.Cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.NotCreated);
        host.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task SubmitAndStartJobAsync_StartRefusedThenDeleteTimesOutRepeatedly_KeepsDeletingAndSaysSo()
    {
        var service = new ScriptedService();
        service.Start = () => Answer(HttpStatusCode.BadRequest, "{\"error\":{\"code\":\"InvalidOperation\",\"message\":\"no\"}}");
        service.Delete = n => n <= 8 ? Answer(HttpStatusCode.GatewayTimeout) : Answer(HttpStatusCode.OK);
        using var host = Host(service);
        var request = new BatchJobRequest { Input = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "in.csv") };

        var error = await DriveAsync(() => host.Client.SubmitAndStartJobAsync(request));

        var ex = error.Should().BeOfType<AzureMlException>().Subject;
        ex.Status.Should().Be(400);
        ex.JobId.Should().Be(JobId);
        ex.ErrorCode.Should().Be("InvalidOperation");
        ex.Message.Should().EndWith($" Batch job {JobId} was deleted.");
        service.Deletes.Should().Be(9);
    }

    [Fact]
    public async Task RunBatchJobAsync_CleanupTimeoutOutOfRange_ThrowsNamingTheSetting()
    {
        using var host = Host(new ScriptedService());
        var options = Options();
        options.CleanupTimeout = TimeSpan.Zero;

        var act = () => host.Client.RunBatchJobAsync(Input(), options);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("CleanupTimeout must be between 00:00:01 and 01:00:00");
        options.ToString().Should().Contain("CleanupTimeout = 00:00:00");
    }

    private static BatchJobInput Input() => BatchJobInput.FromStream(new MemoryStream(Encoding.UTF8.GetBytes("Col2\nhello\n")));

    private static FakeAnswer Answer(HttpStatusCode status, string? body = null) => FakeAnswer.Json(body ?? string.Empty, (int)status);

    private FakeService Host(ScriptedService service) =>
        new FakeService(Transport.InMemory, _time, resilience: o =>
        {
            o.MaxRetryAttempts = 3;
            o.EnableCircuitBreaker = false;
        }).Answer(service.Respond);

    private BatchRunOptions Options() => new()
    {
        StorageConnectionString = fixture.Azurite.ConnectionString,
        ContainerName = "budget-" + Guid.NewGuid().ToString("N")[..12],
        Polling = new BatchPollingOptions { InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1) },
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

    /// <summary>Runs <paramref name="work"/>, moving fake time forward in small steps while it waits; returns what it threw.</summary>
    private async Task<Exception?> DriveAsync<T>(Func<Task<T>> work)
    {
        try
        {
            await DriveResultAsync(work);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private async Task<T> DriveResultAsync<T>(Func<Task<T>> work)
    {
        var task = Task.Run(work);
        var limit = _time.GetUtcNow() + TimeSpan.FromMinutes(10);
        while (!task.IsCompleted && _time.GetUtcNow() < limit)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The service's answers, scripted per operation.</summary>
    private sealed class ScriptedService
    {
        private int _deletes;

        public int Deletes => Volatile.Read(ref _deletes);

        public Func<FakeAnswer> Submit { get; set; } = () => Answer(HttpStatusCode.OK, "\"" + JobId + "\"");

        public Func<FakeAnswer> Start { get; set; } = () => Answer(HttpStatusCode.OK);

        public Func<FakeAnswer> Status { get; set; } = () => throw new InvalidOperationException("No status scripted.");

        /// <summary>Answers the n-th DELETE (from 1).</summary>
        public Func<int, FakeAnswer> Delete { get; set; } = _ => Answer(HttpStatusCode.OK);

        public Action? OnDelete { get; set; }

        public FakeAnswer Respond(FakeCall call) => (call.Method, call.Path) switch
        {
            ("POST", var path) when path.EndsWith("/jobs", StringComparison.Ordinal) => Submit(),
            ("POST", var path) when path == JobPath + "/start" => Start(),
            ("GET", var path) when path == JobPath => Status(),
            ("DELETE", var path) when path == JobPath => DeleteAnswer(),
            _ => throw new InvalidOperationException("Unexpected request " + call.Method + " " + call.Path),
        };

        private FakeAnswer DeleteAnswer()
        {
            OnDelete?.Invoke();
            return Delete(Interlocked.Increment(ref _deletes));
        }
    }

    /// <summary>Answers every blob upload (a PUT that is not a container's) with 403; passes other storage requests on.</summary>
    private sealed class RefusingUploadHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && !request.RequestUri!.Query.Contains("restype=container", StringComparison.Ordinal))
            {
                var refusal = new HttpResponseMessage(HttpStatusCode.Forbidden)
                {
                    Content = new StringContent("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationFailure</Code><Message>This request is not authorized.</Message></Error>", Encoding.UTF8, "application/xml"),
                };
                refusal.Headers.Add("x-ms-error-code", "AuthorizationFailure");
                return Task.FromResult(refusal);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Passes storage requests on, except blob deletes, which hang until cancelled.</summary>
    private sealed class HangingDeleteHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Delete)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
