using AzureMl.Client.Batch;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Telemetry;

public sealed class FeatureTelemetryTests
{
    [Fact]
    public async Task ExecuteAsync_Success_RecordsRowsScored()
    {
        using var rows = new MetricCollector<long>(null, AzureMlDiagnostics.Name, "azureml.client.rows_scored");
        var time = new FakeTimeProvider();
        using var service = new FakeService(Transport.InMemory, time).Then(FakeAnswer.Json("""{"Results":{"output1":{"type":"table","value":{"Values":[["1"],["2"],["3"]]}}}}"""));
        var client = UniqueClient(service);
        var table = new ScoringTable(["Col2"]).AddRow("a").AddRow("b").AddRow("c");

        await client.ExecuteAsync(table);

        rows.GetMeasurementSnapshot().Where(m => Equals(m.Tags[AzureMlTelemetry.ServiceIdTag], client.ServiceId))
            .Select(m => m.Value).Should().Equal(3);
    }

    [Fact]
    public async Task UpdateStatusAsync_SubmittedJobReachesFinalState_RecordsJobDurationOnce()
    {
        using var jobs = new MetricCollector<double>(null, AzureMlDiagnostics.Name, "azureml.client.job.duration");
        var time = new FakeTimeProvider();
        using var service = new FakeService(Transport.InMemory, time)
            .Then(FakeAnswer.Json("\"job1\""))
            .Then(new FakeAnswer(WireEnd.Answer, 200, string.Empty, ContentType: null))
            .ThenStatus("Finished")
            .ThenStatus("Finished");
        var client = UniqueClient(service);
        var request = new BatchJobRequest { Input = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "in.csv") };

        var operation = await client.SubmitAndStartJobAsync(request);
        time.Advance(TimeSpan.FromSeconds(42));
        await operation.UpdateStatusAsync();
        await operation.UpdateStatusAsync();

        var job = jobs.GetMeasurementSnapshot().Where(m => Equals(m.Tags[AzureMlTelemetry.ServiceIdTag], client.ServiceId))
            .Should().ContainSingle().Which;
        job.Value.Should().Be(42);
        job.Tags[AzureMlTelemetry.JobStateTag].Should().Be("Finished");
    }

    // Metrics are process-wide and tests run in parallel: a service id of its own keeps this test's measurements apart.
    private static AzureMlClient UniqueClient(FakeService service) => service.CreateClient(o => o.ServiceId = Guid.NewGuid().ToString("N"));
}
