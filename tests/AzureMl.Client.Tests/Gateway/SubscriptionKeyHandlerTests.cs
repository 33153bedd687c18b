using System.Net;
using AzureMl.Client.Gateway;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AzureMl.Client.Tests.Gateway;

public sealed class SubscriptionKeyHandlerTests
{
    internal const string Primary = "apim-primary-S3CRET-1111";
    internal const string Secondary = "apim-secondary-S3CRET-2222";
    internal const string InvalidKeyBody = """{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }""";
    private const string Header = "Ocp-Apim-Subscription-Key";

    internal static void AcceptOnly(WireMockServer server, string key, string? headerName = Header)
    {
        var path = FakeService.Route(AzureMlOperation.Execute).WirePath;
        var accepted = Request.Create().WithPath(path).UsingPost();
        accepted = headerName is null ? accepted.WithParam("subscription-key", key) : accepted.WithHeader(headerName, key);
        server.Given(accepted).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(FakeAnswer.ExecuteAnswer));
        server.Given(Request.Create().WithPath(path).UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json").WithBody(InvalidKeyBody));
    }

    private static IReadOnlyList<string> KeysSent(WireMockServer server, string header = Header) =>
        server.LogEntries.Select(e => e.RequestMessage.Headers is { } h && h.TryGetValue(header, out var v) ? string.Join("|", v) : "(none)").ToList();

    [Fact]
    public async Task SendAsync_FixedKey_RetriedAttemptCarriesOneKeyNotTwo()
    {
        // The retried attempt is the same request message, which already holds the key from the first attempt: the
        // handler replaces it rather than adding a second value.
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(Primary));
        var path = FakeService.Route(AzureMlOperation.Execute).WirePath;
        host.Server!.Given(Request.Create().WithPath(path).UsingPost()).InScenario("retry").WillSetStateTo("answered")
            .RespondWith(Response.Create().WithStatusCode(500));
        host.Server!.Given(Request.Create().WithPath(path).UsingPost()).InScenario("retry").WhenStateIs("answered")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(FakeAnswer.ExecuteAnswer));

        await host.RunAsync(AzureMlOperation.Execute);

        KeysSent(host.Server!).Should().Equal(Primary, Primary);
    }

    [Fact]
    public async Task SendAsync_PrimaryRejectedByGateway_SendsOnceWithSecondaryAndKeepsIt()
    {
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(Primary, Secondary));
        AcceptOnly(host.Server!, Secondary);

        await host.RunAsync(AzureMlOperation.Execute);
        await host.RunAsync(AzureMlOperation.Execute);

        KeysSent(host.Server!).Should().Equal(Primary, Secondary, Secondary);
        var bodies = host.Server!.LogEntries.Select(e => e.RequestMessage.Body).ToList();
        bodies[1].Should().NotBeNullOrEmpty().And.Be(bodies[0], "the re-sent request carries the same content");
    }

    [Fact]
    public async Task SendAsync_BothKeysRejected_FailsAfterOneFailoverWithGatewayError()
    {
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(Primary, Secondary));
        AcceptOnly(host.Server!, "some-other-key");

        var act = () => host.RunAsync(AzureMlOperation.Execute);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.Status.Should().Be(401);
        ex.ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
        ex.Message.Should().Contain("subscription key");
        KeysSent(host.Server!).Should().Equal(Primary, Secondary);
    }

    [Fact]
    public async Task SendAsync_ServiceOwn401_IsNotAKeyFailover()
    {
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(Primary, Secondary));
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json")
            .WithBody("""{ "error": { "code": "Unauthorized", "message": "Invalid credentials provided.", "details": [ { "code": "ScoreRequestUnauthorized" } ] } }"""));

        var act = () => host.RunAsync(AzureMlOperation.Execute);

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.ErrorSource.Should().Be(AzureMlErrorSource.Service);
        ex.DetailCode.Should().Be("ScoreRequestUnauthorized");
        host.Server!.LogEntries.Should().HaveCount(1, "401 is never retried and the service's 401 is not the gateway's key check");
    }

    [Fact]
    public async Task SendAsync_SubmitRejectedByGateway_FailsOverOnceEvenThoughSubmitIsNeverRetried()
    {
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(Primary, Secondary));
        var path = FakeService.Route(AzureMlOperation.SubmitJob).WirePath;
        host.Server!.Given(Request.Create().WithPath(path).WithHeader(Header, Secondary)).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("\"" + TestIds.JobId + "\""));
        host.Server!.Given(Request.Create().WithPath(path)).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("WWW-Authenticate", "AzureApiManagementKey realm=\"https://contoso.azure-api.net/ml\",name=\"Ocp-Apim-Subscription-Key\",type=\"header\"").WithBody(InvalidKeyBody));

        await host.RunAsync(AzureMlOperation.SubmitJob);

        KeysSent(host.Server!).Should().Equal(Primary, Secondary);
    }

    [Fact]
    public async Task SendAsync_QueryMode_PutsKeyInQueryOnceAndNoHeader()
    {
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(o =>
        {
            o.PrimaryKey = Primary;
            o.SendKeyInQuery = true;
        }));
        AcceptOnly(host.Server!, Primary, headerName: null);

        await host.RunAsync(AzureMlOperation.Execute, extraQuery: "subscription-key=stale");

        var entry = host.Server!.LogEntries.Single();
        entry.RequestMessage.Query!["subscription-key"].Should().Equal(Primary);
        entry.RequestMessage.Query!["api-version"].Should().Equal("2.0");
        KeysSent(host.Server!).Should().Equal("(none)");
    }

    [Fact]
    public async Task SendAsync_CustomHeaderName_UsesIt()
    {
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(_ => new FixedSubscriptionKeyProvider(Primary), o => o.HeaderName = "x-api-key"));
        AcceptOnly(host.Server!, Primary, headerName: "x-api-key");

        await host.RunAsync(AzureMlOperation.Execute);

        KeysSent(host.Server!, "x-api-key").Should().Equal(Primary);
        KeysSent(host.Server!).Should().Equal("(none)");
    }

    [Fact]
    public async Task SendAsync_ConfigurationReload_RotatesKeyWithoutRestart()
    {
        var config = new ConfigurationManager();
        config["AzureMl:Gateway:PrimaryKey"] = Primary;
        using var host = new FakeService(configure: b => b.AddSubscriptionKey(config.GetSection("AzureMl:Gateway")));
        AcceptOnly(host.Server!, Primary);
        await host.RunAsync(AzureMlOperation.Execute);

        host.Server!.Reset();
        AcceptOnly(host.Server!, Secondary);
        config["AzureMl:Gateway:PrimaryKey"] = Secondary;
        ((IConfigurationRoot)config).Reload();
        await host.RunAsync(AzureMlOperation.Execute);

        KeysSent(host.Server!).Should().Equal(Secondary);
    }

    [Fact]
    public async Task SendAsync_StandaloneHandlerWithStreamContent_ResendsBufferedContentOnFailover()
    {
        using var host = new FakeService();
        host.Server!.Given(Request.Create().WithPath("/any").WithHeader(Header, Secondary)).AtPriority(1).RespondWith(Response.Create().WithStatusCode(200));
        host.Server!.Given(Request.Create().WithPath("/any")).AtPriority(100).RespondWith(Response.Create().WithStatusCode(401).WithBody(InvalidKeyBody));
        var http = host.CreateHttpClient(new SubscriptionKeyHandler(new FailoverSubscriptionKeyProvider(Primary, Secondary)));
        using var content = new StreamContent(new NonSeekableStream("payload-123"u8.ToArray()));

        using var response = await http.PostAsync(new Uri(host.Url + "/any"), content);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        host.Server!.LogEntries.Select(e => e.RequestMessage.Body).Should().Equal("payload-123", "payload-123");
    }

    [Fact]
    public void AddSubscriptionKey_Twice_ThrowsNamingTheFix()
    {
        var builder = new ServiceCollection().AddAzureMlClient(o => o.ServiceId = "s").AddSubscriptionKey(Primary);

        var act = () => builder.AddSubscriptionKey(Secondary);

        act.Should().Throw<InvalidOperationException>().WithMessage("*once per client*");
    }

    [Fact]
    public void Constructors_BadKeys_ThrowArgumentExceptionWithoutTheKey()
    {
        var fixedKey = () => new FixedSubscriptionKeyProvider("bad\nkey-S3CRET");
        var pair = () => new FailoverSubscriptionKeyProvider(Primary, "");

        fixedKey.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("S3CRET");
        pair.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("secondaryKey");
    }

    [Fact]
    public void ValidateOnStart_MissingPrimaryKey_FailsNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(o =>
        {
            o.Endpoint = new Uri("https://example.invalid");
            o.WorkspaceId = "ws";
            o.ServiceId = "svc";
        }).AddSubscriptionKey(new ConfigurationManager().GetSection("AzureMl:Gateway"));
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().WithMessage("*PrimaryKey is required*");
    }

    [Fact]
    public void ToString_OptionsAndProviders_NeverShowKeys()
    {
        var options = new AzureMlGatewayOptions { PrimaryKey = Primary, SecondaryKey = Secondary };
        string[] texts = [options.ToString(), new FixedSubscriptionKeyProvider(Primary).ToString(), new FailoverSubscriptionKeyProvider(Primary, Secondary).ToString()];

        texts.Should().AllSatisfy(t => t.Should().NotContain(Primary).And.NotContain(Secondary));
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Position
        {
            get => base.Position;
            set => throw new NotSupportedException();
        }
    }
}
