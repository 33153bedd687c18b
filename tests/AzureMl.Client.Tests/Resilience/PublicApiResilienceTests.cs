using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>The default pipeline seen through the feature methods, not only the internal seam.</summary>
public sealed class PublicApiResilienceTests(WireMockFixture fixture) : IClassFixture<WireMockFixture>
{
    [Fact]
    public async Task GetJobStatusAsync_ThrottledTwiceThenOk_ReturnsStatusAfterThreeRequests()
    {
        fixture.Server.Reset();
        var path = TestHost.Route(AzureMlOperation.GetJobStatus).WirePath;
        fixture.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("throttle").WillSetStateTo("once")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(FaultMatrixTests.ServiceThrottledBody));
        fixture.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("throttle").WhenStateIs("once").WillSetStateTo("twice")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(FaultMatrixTests.ServiceThrottledBody));
        fixture.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("throttle").WhenStateIs("twice")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{ "StatusCode": "Running", "Results": null, "Details": null }"""));
        using var host = new TestHost(fixture.Server);

        var status = await host.Client.GetJobStatusAsync(TestHost.JobId);

        status.State.ToString().Should().Be("Running");
        fixture.Server.LogEntries.Should().HaveCount(3);
    }

    [Fact]
    public async Task StartJobAsync_BadGateway_SentOnceAndOutcomeUnknownNamesTheJob()
    {
        fixture.Server.Reset();
        fixture.Server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(502));
        using var host = new TestHost(fixture.Server);

        var act = () => host.Client.StartJobAsync(TestHost.JobId);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.JobId.Should().Be(TestHost.JobId);
        fixture.Server.LogEntries.Should().HaveCount(1);
    }

    [Fact]
    public async Task Resolve_KeyedClient_GetsItsOwnPipelineAndKey()
    {
        fixture.Server.Reset();
        fixture.Server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(503));
        var services = new ServiceCollection();
        services.AddAzureMlClient("b", o =>
        {
            o.Endpoint = new Uri(fixture.Server.Url!);
            o.WorkspaceId = "ws";
            o.ServiceId = "svc";
        }).ConfigureResilience(o =>
        {
            o.MaxRetryAttempts = 1;
            o.BaseDelay = TimeSpan.FromMilliseconds(1);
        }).AddSubscriptionKey("keyed-key");
        using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredKeyedService<IAzureMlClient>("b");

        var act = () => client.DeleteJobAsync(TestHost.JobId);

        await act.Should().ThrowAsync<AzureMlException>();
        fixture.Server.LogEntries.Should().HaveCount(2);
        fixture.Server.LogEntries.Should().AllSatisfy(e => e.RequestMessage.Headers!["Ocp-Apim-Subscription-Key"].Should().Equal("keyed-key"));
    }
}
