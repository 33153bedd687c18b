using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Telemetry;

/// <summary>A retried 429 is one log line at Information (the client's), not the client's plus two of Polly's.</summary>
public sealed class RetryLoggingTests
{
    [Fact]
    public async Task Execute_429ThenRetried_LogsEachRetryOnceAtInformationAndPollyAtDebug()
    {
        using var host = new FakeService();
        host.Server!.Given(Request.Create().UsingPost())
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "0"));

        await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.Execute));

        var records = host.Logs.GetSnapshot();
        host.Server!.LogEntries.Should().HaveCount(3, "two retries of the 429");
        var visible = records.Where(r => r.Level >= LogLevel.Information).ToList();
        visible.Where(r => r.Message.Contains("429", StringComparison.Ordinal) || r.Category == "Polly")
            .Select(r => $"{r.Category} {r.Level} {r.Id.Name}")
            .Should().Equal(
                [
                    $"{AzureMlDiagnostics.LogCategory} Information RetryScheduled",
                    $"{AzureMlDiagnostics.LogCategory} Information RetryScheduled",
                    $"{AzureMlDiagnostics.LogCategory} Warning OperationFailed",
                ],
                "each 429 is logged once by the client; Polly's lines for it are Debug");
        records.Where(r => r.Category == "Polly" && r.Level == LogLevel.Debug && r.Message.Contains("OnRetry", StringComparison.Ordinal))
            .Should().HaveCount(2, "Polly still reports the retries, one level down");
    }
}
