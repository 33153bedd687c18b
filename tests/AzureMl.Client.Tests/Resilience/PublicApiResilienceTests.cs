using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>The default pipeline seen through the feature methods, not only the internal seam.</summary>
public sealed class PublicApiResilienceTests
{
    [Fact]
    public async Task GetJobStatusAsync_ThrottledTwiceThenOk_ReturnsStatusAfterThreeRequests()
    {
        using var service = new FakeService();
        var path = FakeService.Route(AzureMlOperation.GetJobStatus).WirePath;
        service.Server!.Given(Request.Create().WithPath(path).UsingGet()).InScenario("throttle").WillSetStateTo("once")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(FaultMatrixTests.ServiceThrottledBody));
        service.Server!.Given(Request.Create().WithPath(path).UsingGet()).InScenario("throttle").WhenStateIs("once").WillSetStateTo("twice")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(FaultMatrixTests.ServiceThrottledBody));
        service.Server!.Given(Request.Create().WithPath(path).UsingGet()).InScenario("throttle").WhenStateIs("twice")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{ "StatusCode": "Running", "Results": null, "Details": null }"""));

        var status = await service.Client.GetJobStatusAsync(TestIds.JobId);

        status.State.ToString().Should().Be("Running");
        service.Server!.LogEntries.Should().HaveCount(3);
    }

    [Fact]
    public async Task StartJobAsync_BadGateway_SentOnceAndOutcomeUnknownNamesTheJob()
    {
        using var service = new FakeService();
        service.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(502));

        var act = () => service.Client.StartJobAsync(TestIds.JobId);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.JobId.Should().Be(TestIds.JobId);
        service.Server!.LogEntries.Should().HaveCount(1);
    }

    [Fact]
    public async Task Resolve_KeyedClient_GetsItsOwnPipelineAndKey()
    {
        using var service = new FakeService();
        service.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(503));
        var services = new ServiceCollection();
        services.AddAzureMlClient("b", o =>
        {
            o.Endpoint = new Uri(service.Url);
            o.WorkspaceId = "ws";
            o.ServiceId = "svc";
        }).ConfigureResilience(o =>
        {
            o.MaxRetryAttempts = 1;
            o.BaseDelay = TimeSpan.FromMilliseconds(1);
        }).AddSubscriptionKey("keyed-key");
        using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredKeyedService<IAzureMlClient>("b");

        var act = () => client.DeleteJobAsync(TestIds.JobId);

        await act.Should().ThrowAsync<AzureMlException>();
        service.Server!.LogEntries.Should().HaveCount(2);
        service.Server!.LogEntries.Should().AllSatisfy(e => e.RequestMessage.Headers!["Ocp-Apim-Subscription-Key"].Should().Equal("keyed-key"));
    }
}
