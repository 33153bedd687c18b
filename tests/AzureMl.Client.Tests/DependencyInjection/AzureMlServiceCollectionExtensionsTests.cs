using AzureMl.Client.Tests.RequestResponse;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.Tests.DependencyInjection;

public sealed class AzureMlServiceCollectionExtensionsTests : IDisposable
{
    private readonly FakeService _server = new();

    public AzureMlServiceCollectionExtensionsTests() => _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));

    public void Dispose() => _server.Dispose();

    private void Configure(AzureMlClientOptions o)
    {
        o.Endpoint = new Uri(_server.Url);
        o.WorkspaceId = TestIds.WorkspaceId;
        o.ServiceId = TestIds.ServiceId;
        o.ApiKey = TestIds.ApiKey;
    }

    [Fact]
    public async Task AddAzureMlClient_Section_OneClientForTheAppThatFollowsReloads()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureMl:Endpoint"] = _server.Url,
            ["AzureMl:WorkspaceId"] = TestIds.WorkspaceId,
            ["AzureMl:ServiceId"] = TestIds.ServiceId,
            ["AzureMl:ApiKey"] = "key-before",
        }).Build();
        var services = new ServiceCollection();
        services.AddAzureMlClient(configuration.GetSection("AzureMl"));
        services.AddAzureMlClient("named", configuration.GetSection("AzureMl"));
        using var sp = services.BuildServiceProvider();

        var first = sp.GetRequiredService<IAzureMlClient>();
        await first.ExecuteAsync(new ScoringTable("Col2").AddRow("x"));
        configuration["AzureMl:ApiKey"] = "key-after";
        configuration.Reload();
        await sp.GetRequiredService<IAzureMlClient>().ExecuteAsync(new ScoringTable("Col2").AddRow("x"));

        sp.GetRequiredService<IAzureMlClient>().Should().BeSameAs(first, "the client keeps what it learns of its service for the app's lifetime");
        sp.GetRequiredKeyedService<IAzureMlClient>("named").Should().BeSameAs(sp.GetRequiredKeyedService<IAzureMlClient>("named"));
        _server.WireMockLog.Select(r => r.RequestMessage.Headers!["Authorization"].Single())
            .Should().Equal("Bearer key-before", "Bearer key-after");
    }

    [Fact]
    public async Task AddAzureMlClient_Action_ResolvesWorkingDefaultClient()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(Configure);
        using var sp = services.BuildServiceProvider();

        var client = sp.GetRequiredService<IAzureMlClient>();
        var output = await client.ExecuteAsync(new ScoringTable("Col2").AddRow("x"));

        client.Should().BeOfType<AzureMlClient>();
        client.ServiceUri.AbsolutePath.Should().Be(FakeService.ServicePath);
        output[0].GetDouble("Score").Should().Be(0.9);
        _server.WireMockLog.Should().NotBeEmpty();
        _server.WireMockLog.Should().OnlyContain(r => r.RequestMessage.Path == FakeService.ServicePath + "/execute");
    }

    [Fact]
    public async Task AddAzureMlClient_ConfigurationSection_BindsEverySetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureMl:Endpoint"] = _server.Url + "/azureml-demo",
            ["AzureMl:PathStyle"] = "Subscription",
            ["AzureMl:SubscriptionId"] = "sub-1",
            ["AzureMl:ServiceId"] = "svc-1",
            ["AzureMl:ApiKey"] = TestIds.ApiKey,
            ["AzureMl:ApiVersion"] = "2.0",
        }).Build();
        var services = new ServiceCollection();
        services.AddAzureMlClient(configuration.GetSection("AzureMl"));
        using var sp = services.BuildServiceProvider();

        var client = sp.GetRequiredService<IAzureMlClient>();
        await client.ExecuteAsync(new ScoringTable("Col2").AddRow("x"));

        client.ServiceUri.Should().Be(new Uri(_server.Url + "/azureml-demo/subscriptions/sub-1/services/svc-1"));
        var request = _server.WireMockLog[^1].RequestMessage;
        request.Path.Should().Be("/azureml-demo/subscriptions/sub-1/services/svc-1/execute");
        request.Headers!["Authorization"].Should().ContainSingle().Which.Should().Be("Bearer " + TestIds.ApiKey);
    }

    [Fact]
    public async Task AddAzureMlClient_TwoKeyedClients_EachTalksToItsService()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient("sentiment", o =>
        {
            Configure(o);
            o.ServiceId = "sentiment-svc";
        });
        services.AddAzureMlClient("churn", o =>
        {
            Configure(o);
            o.ServiceId = "churn-svc";
            o.ApiKey = "churn-key";
        });
        services.AddTransient<TwoClientsConsumer>();
        using var sp = services.BuildServiceProvider();

        var consumer = sp.GetRequiredService<TwoClientsConsumer>();
        await consumer.Sentiment.ExecuteAsync(new ScoringTable("a").AddRow("1"));
        await consumer.Churn.ExecuteAsync(new ScoringTable("a").AddRow("1"));

        consumer.Sentiment.ServiceUri.AbsolutePath.Should().EndWith("/services/sentiment-svc");
        consumer.Churn.ServiceUri.AbsolutePath.Should().EndWith("/services/churn-svc");
        sp.GetRequiredKeyedService<IAzureMlClient>("churn").ServiceUri.Should().Be(consumer.Churn.ServiceUri);
        sp.GetService<IAzureMlClient>().Should().BeNull("only keyed clients were registered");
        _server.WireMockLog.Select(r => (r.RequestMessage.Path, r.RequestMessage.Headers!["Authorization"].Single())).Distinct().Should().BeEquivalentTo(new[]
        {
            ($"/workspaces/{TestIds.WorkspaceId}/services/sentiment-svc/execute", "Bearer " + TestIds.ApiKey),
            ($"/workspaces/{TestIds.WorkspaceId}/services/churn-svc/execute", "Bearer churn-key"),
        });
    }

    [Fact]
    public void AddAzureMlClient_InvalidOptions_FailsStartupValidationNamingTheSettings()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient("broken", o => o.ServiceId = "a/b");
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IStartupValidator>().Validate();

        var ex = act.Should().Throw<OptionsValidationException>().Which;
        ex.Failures.Should().Contain(f => f.StartsWith("AzureMl client 'broken': Endpoint is required"));
        ex.Failures.Should().Contain(f => f.StartsWith("AzureMl client 'broken': ServiceId must not contain '/'"));
        _server.WireMockLog.Should().BeEmpty();
    }

    [Fact]
    public void AddAzureMlClient_InvalidOptions_ResolvingTheClientThrows()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(o =>
        {
            Configure(o);
            o.WorkspaceId = "ws?x";
        });
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IAzureMlClient>();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("WorkspaceId must not contain '?'");
    }

    [Fact]
    public void AddAzureMlClient_ValidOptions_PassStartupValidation()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(Configure);
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IStartupValidator>().Validate();

        act.Should().NotThrow();
        sp.GetRequiredService<IOptionsMonitor<AzureMlClientOptions>>().Get(Microsoft.Extensions.Options.Options.DefaultName).ServiceId.Should().Be(TestIds.ServiceId);
    }

    [Fact]
    public async Task HttpClientBuilder_UserHandler_SeesTheRequest()
    {
        var seen = new List<(string Method, string Path, AzureMlOperation Operation, string? Auth)>();
        var services = new ServiceCollection();
        var builder = services.AddAzureMlClient(Configure);
        builder.HttpClientBuilder.AddHttpMessageHandler(() => new RecordingHandler(seen));
        using var sp = services.BuildServiceProvider();

        await sp.GetRequiredService<IAzureMlClient>().ExecuteAsync(new ScoringTable("a").AddRow("1"));

        builder.Name.Should().BeEmpty();
        builder.Services.Should().BeSameAs(services);
        seen.Should().NotBeEmpty();
        seen[0].Should().Be(("POST", FakeService.ServicePath + "/execute", AzureMlOperation.Execute, "Bearer " + TestIds.ApiKey));
    }

    [Fact]
    public void AddAzureMlClient_NullArguments_Throw()
    {
        var services = new ServiceCollection();

        FluentActions.Invoking(() => services.AddAzureMlClient((Action<AzureMlClientOptions>)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => services.AddAzureMlClient((IConfigurationSection)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => services.AddAzureMlClient("", Configure)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("name");
    }

    public sealed class TwoClientsConsumer([FromKeyedServices("sentiment")] IAzureMlClient sentiment, [FromKeyedServices("churn")] IAzureMlClient churn)
    {
        public IAzureMlClient Sentiment { get; } = sentiment;

        public IAzureMlClient Churn { get; } = churn;
    }

    private sealed class RecordingHandler(List<(string, string, AzureMlOperation, string?)> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            AzureMlRequestOptions.TryGetOperation(request, out var op);
            seen.Add((request.Method.Method, request.RequestUri!.AbsolutePath, op, request.Headers.Authorization?.ToString()));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
