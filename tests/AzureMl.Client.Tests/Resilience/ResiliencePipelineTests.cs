using System.Net;
using AzureMl.Client.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.Tests.Resilience;

public sealed class ResiliencePipelineTests
{
    [Theory]
    [InlineData(AzureMlOperation.SubmitJob)]
    [InlineData(AzureMlOperation.StartJob)]
    public async Task SendAsync_ConnectionRefused_RetriesEvenSubmitAndStartAndOutcomeIsKnown(AzureMlOperation operation)
    {
        using var service = new FakeService(Transport.ClosedPort);

        var error = await service.CaptureAsync(() => service.RunAsync(operation));

        var ex = error.Should().BeOfType<AzureMlException>().Which;
        ex.ErrorCode.Should().Be("ConnectionFailure");
        ex.IsOutcomeUnknown.Should().BeFalse("nothing reached the service");
        service.Logs.GetSnapshot().Count(r => r.Id.Name == "RetryScheduled").Should().Be(2);
    }

    [Fact]
    public async Task RemoveResilience_ServiceUnavailable_SentOnce()
    {
        using var service = new FakeService(configure: b => b.RemoveResilience()).Always(FakeAnswer.Empty((int)HttpStatusCode.ServiceUnavailable));

        var error = await service.CaptureAsync(() => service.RunAsync(AzureMlOperation.Execute));

        error.Should().BeOfType<AzureMlException>().Which.Status.Should().Be(503);
        service.Calls.Should().Be(1);
    }

    [Fact]
    public async Task ConfigureResilience_FromConfiguration_AppliesBoundSettings()
    {
        var config = new ConfigurationManager();
        config["Resilience:MaxRetryAttempts"] = "1";
        config["Resilience:BaseDelay"] = "00:00:00.001";
        config["Resilience:MaxDelay"] = "00:00:00.005";
        using var service = new FakeService(configure: b => b.ConfigureResilience(config.GetSection("Resilience"))).Always(FakeAnswer.Empty((int)HttpStatusCode.BadGateway));

        await service.CaptureAsync(() => service.RunAsync(AzureMlOperation.GetJobStatus));

        service.Calls.Should().Be(2);
    }

    [Fact]
    public async Task SendAsync_RepeatedFailures_OpenCircuitFailsWithoutReachingService()
    {
        using var service = new FakeService(resilience: o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitBreakerMinimumThroughput = 2;
            o.CircuitBreakerFailureRatio = 0.5;
            o.CircuitBreakerBreakDuration = TimeSpan.FromMinutes(1);
        }).Always(FakeAnswer.Empty((int)HttpStatusCode.InternalServerError));
        await service.CaptureAsync(() => service.RunAsync(AzureMlOperation.GetJobStatus));
        await service.CaptureAsync(() => service.RunAsync(AzureMlOperation.GetJobStatus));

        var error = await service.CaptureAsync(() => service.RunAsync(AzureMlOperation.SubmitJob));

        var ex = error.Should().BeOfType<AzureMlException>().Which;
        ex.ErrorCode.Should().Be("CircuitOpen");
        ex.IsOutcomeUnknown.Should().BeFalse("the request was held back");
        ex.Message.Should().Contain("circuit breaker is open");
        service.Calls.Should().Be(2);
    }

    [Fact]
    public void ValidateOnStart_InvalidResilienceOptions_FailsNamingEachSetting()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(o =>
        {
            o.Endpoint = new Uri("https://example.invalid");
            o.WorkspaceId = "ws";
            o.ServiceId = "svc";
        }).ConfigureResilience(o =>
        {
            o.MaxRetryAttempts = 50;
            o.AttemptTimeout = TimeSpan.FromMinutes(10);
            o.TotalTimeout = TimeSpan.FromMinutes(1);
        });
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*MaxRetryAttempts must be between 0 and 10*")
            .WithMessage("*AttemptTimeout must be between*");
    }

    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var o = new AzureMlResilienceOptions();

        o.MaxRetryAttempts.Should().Be(3);
        o.BaseDelay.Should().Be(TimeSpan.FromSeconds(2));
        o.MaxDelay.Should().Be(TimeSpan.FromSeconds(30));
        o.AttemptTimeout.Should().Be(TimeSpan.FromSeconds(100));
        o.TotalTimeout.Should().Be(TimeSpan.FromMinutes(5));
        o.EnableCircuitBreaker.Should().BeTrue();
        o.Validate().Should().BeEmpty();
    }
}
