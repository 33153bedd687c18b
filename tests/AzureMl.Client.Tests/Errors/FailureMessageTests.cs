using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Errors;

/// <summary>What a failure's message keeps: the job it concerns, and the real cause under a timeout or an open circuit.</summary>
public sealed class FailureMessageTests
{
    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task StartJobAsync_AnyFailedStatus_MessageNamesTheJob(int status)
    {
        using var service = new FakeService(Transport.Socket).Always(FakeAnswer.Json("""{"error":{"code":"Oops","message":"It failed."}}""", status));

        var act = () => service.Client.StartJobAsync(TestIds.JobId);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.Message.Should().StartWith($"StartJob for job {TestIds.JobId} failed");
        ex.JobId.Should().Be(TestIds.JobId);
        service.Received.Should().ContainSingle("a start is never sent twice");
        if (status is 408 or 500 or 502 or 504)
        {
            ex.IsOutcomeUnknown.Should().BeTrue();
            ex.Message.Should().Contain($"Check job {TestIds.JobId} with GetJobStatusAsync");
        }

        ex.Message.Should().NotContain("The scoring took too long", "only a scoring call is told to use a batch job");
    }

    [Fact]
    public async Task DeleteJobAsync_GatewayTimeout_HintDoesNotTalkAboutScoring()
    {
        using var service = new FakeService(Transport.Socket).Always(FakeAnswer.Json("""{"error":{"code":"GatewayTimeout","message":"Backend timed out."}}""", 504));

        var act = () => service.Client.DeleteJobAsync(TestIds.JobId);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.Message.Should().Contain("did not answer in time").And.NotContain("scoring");
    }

    [Fact]
    public async Task GetJobStatusAsync_CircuitOpensAfterRefusedConnections_MessageCarriesTheRefusal()
    {
        using var service = new FakeService(Transport.ClosedPort, resilience: o =>
        {
            o.MaxRetryAttempts = 1;
            o.CircuitBreakerMinimumThroughput = 2;
            o.CircuitBreakerFailureRatio = 0.5;
        });

        AzureMlException? last = null;
        for (var i = 0; i < 5 && last?.ErrorCode != "CircuitOpen"; i++)
        {
            last = (await FluentActions.Awaiting(() => service.Client.GetJobStatusAsync(TestIds.JobId)).Should().ThrowAsync<AzureMlException>()).Which;
            if (last.ErrorCode != "CircuitOpen")
            {
                last.Message.Should().Contain("Connection refused");
            }
        }

        last!.ErrorCode.Should().Be("CircuitOpen");
        last.Message.Should().Contain("circuit breaker is open").And.Contain("Connection refused (" + new Uri(service.Url).Authority + ")");
    }

    [Fact]
    public async Task SubmitJobAsync_BudgetRunsOutAfterRefusedConnections_MessageCarriesTheLastFailure()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        using var service = new FakeService(Transport.ClosedPort, time, resilience: o =>
        {
            // The budget runs out while the client waits to retry, never while an attempt is in flight.
            o.MaxRetryAttempts = 10;
            o.BaseDelay = TimeSpan.FromHours(1);
            o.MaxDelay = TimeSpan.FromHours(1);
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.TotalTimeout = TimeSpan.FromSeconds(25);
            o.EnableCircuitBreaker = false;
        });

        var error = await service.CaptureAsync(() => service.Client.SubmitJobAsync(FakeService.SampleJob()));

        var ex = error.Should().BeOfType<AzureMlException>().Subject;
        ex.ErrorCode.Should().Be("Timeout");
        ex.Message.Should().Contain("the total time budget (AzureMlResilienceOptions.TotalTimeout, 25 s) ran out")
            .And.Contain("Connection refused (" + new Uri(service.Url).Authority + ")");
        ex.IsOutcomeUnknown.Should().BeFalse("a refused connection proves nothing was sent");
    }
}
