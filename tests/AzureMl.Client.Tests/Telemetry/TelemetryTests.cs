using System.Collections.Concurrent;
using System.Diagnostics;
using AzureMl.Client.Telemetry;
using AzureMl.Client.Tests.Resilience;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Telemetry;

public sealed class TelemetryTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = s => s.Name == AzureMlDiagnostics.Name,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    private readonly string _serviceId = "tel" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _listener.Dispose();

    private FakeService Host() => new(serviceId: _serviceId);

    private IReadOnlyList<Activity> OurSpans() =>
        _spans.Where(a => Equals(a.GetTagItem(AzureMlTelemetry.ServiceIdTag), _serviceId)).ToList();

    private void Listen()
    {
        _listener.ActivityStopped = _spans.Enqueue;
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task SendAsync_RetriedThenFailed_OneErrorSpanWithStatusCodeAndRetryCount()
    {
        Listen();
        using var host = Host();
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json")
            .WithBody(FaultMatrixTests.ServiceThrottledBody));

        await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.GetJobStatus));

        var span = OurSpans().Should().ContainSingle().Which;
        span.DisplayName.Should().Be("azureml get_job_status");
        span.Status.Should().Be(ActivityStatusCode.Error);
        span.GetTagItem(AzureMlTelemetry.StatusCodeTag).Should().Be(503);
        span.GetTagItem(AzureMlTelemetry.ErrorTypeTag).Should().Be("503");
        span.GetTagItem(AzureMlTelemetry.ErrorCodeTag).Should().Be("ServiceUnavailable");
        span.GetTagItem(AzureMlTelemetry.RetryCountTag).Should().Be(2);
        span.GetTagItem(AzureMlTelemetry.JobIdTag).Should().Be(TestIds.JobId);
    }

    [Fact]
    public async Task SendAsync_Success_OkSpanAndInformationLogWithoutPayload()
    {
        Listen();
        using var host = Host();
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["Col2"],"ColumnTypes":["String"],"Values":[["secret-payload"]]}}}}"""));

        await host.RunAsync(AzureMlOperation.Execute);

        var span = OurSpans().Should().ContainSingle().Which;
        span.Status.Should().Be(ActivityStatusCode.Ok);
        span.GetTagItem(AzureMlTelemetry.RetryCountTag).Should().Be(0);
        var log = host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "OperationSucceeded").Which;
        log.Category.Should().Be(AzureMlDiagnostics.LogCategory);
        log.GetStructuredStateValue("Operation").Should().Be(AzureMlDiagnostics.OperationName(AzureMlOperation.Execute), "logs, metrics and spans use one name per operation");
        span.DisplayName.Should().Be(AzureMlDiagnostics.ExecuteSpan);
        log.GetStructuredStateValue("ServiceId").Should().Be(_serviceId);
        log.GetStructuredStateValue("Status").Should().Be("200");
        log.GetStructuredStateValue("Attempts").Should().Be("1");
        host.Logs.GetSnapshot().Should().NotContain(r => r.Message.Contains("secret-payload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_Retries_RecordsDurationAndRetryMetrics()
    {
        using var host = Host();
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(502));
        using var duration = new MetricCollector<double>(null, AzureMlDiagnostics.Name, "azureml.client.request.duration");
        using var retries = new MetricCollector<long>(null, AzureMlDiagnostics.Name, "azureml.client.request.retries");

        await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.DeleteJob));

        var d = duration.GetMeasurementSnapshot().Where(m => Equals(m.Tags[AzureMlTelemetry.ServiceIdTag], _serviceId)).Should().ContainSingle().Which;
        d.Value.Should().BeGreaterThan(0);
        d.Tags[AzureMlTelemetry.OperationTag].Should().Be("delete_job");
        d.Tags[AzureMlTelemetry.StatusCodeTag].Should().Be(502);
        d.Tags[AzureMlTelemetry.ErrorTypeTag].Should().Be("502");
        duration.Instrument!.Unit.Should().Be("s");
        var r = retries.GetMeasurementSnapshot().Where(m => Equals(m.Tags[AzureMlTelemetry.ServiceIdTag], _serviceId)).ToList();
        r.Should().HaveCount(2).And.AllSatisfy(m => m.Tags[AzureMlTelemetry.ErrorTypeTag].Should().Be("502"));
    }

    [Fact]
    public void Hooks_RowsScoredAndJobCompleted_RecordTaggedMeasurements()
    {
        using var rows = new MetricCollector<long>(null, AzureMlDiagnostics.Name, "azureml.client.rows_scored");
        using var jobs = new MetricCollector<double>(null, AzureMlDiagnostics.Name, "azureml.client.job.duration");

        AzureMlTelemetry.RowsScored(250, _serviceId);
        AzureMlTelemetry.RowsScored(0, _serviceId);
        AzureMlTelemetry.JobCompleted(TimeSpan.FromMinutes(2), "Finished", _serviceId);

        rows.GetMeasurementSnapshot().Where(m => Equals(m.Tags[AzureMlTelemetry.ServiceIdTag], _serviceId)).Select(m => m.Value).Should().Equal(250);
        var job = jobs.GetMeasurementSnapshot().Where(m => Equals(m.Tags[AzureMlTelemetry.ServiceIdTag], _serviceId)).Should().ContainSingle().Which;
        job.Value.Should().Be(120);
        job.Tags[AzureMlTelemetry.JobStateTag].Should().Be("Finished");
    }
}
