using AzureMl.Client.Gateway;
using AzureMl.Client.Resilience;
using AzureMl.Client.Tests.Gateway;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Secrets;

public sealed class SecretLeakTests
{
    private static readonly string SasUrl = $"https://acct.blob.core.windows.net/in/data.csv?sv=2020-08-04&sr=b&sp=r&se=2030-01-01&sig={SecretScanner.SasSignature}";
    private static readonly string ConnectionString = TestIds.StorageConnectionString;

    private static Action<IAzureMlClientBuilder> Keys(bool inQuery) => b => b.AddSubscriptionKey(o =>
    {
        o.PrimaryKey = SubscriptionKeyHandlerTests.Primary;
        o.SecondaryKey = SubscriptionKeyHandlerTests.Secondary;
        o.SendKeyInQuery = inQuery;
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServiceErrorEchoingSasAndAccountKey_NothingLeaks(bool inQuery)
    {
        SecretScanner.EnsureListening();
        using var host = new FakeService(configure: Keys(inQuery));
        var body = $$"""{ "error": { "code": "BadArgument", "message": "Invalid argument provided. {{ConnectionString}}", "details": [ { "code": "BlobNotFound", "target": "input1", "message": "Blob {{SasUrl}} not found." } ] } }""";
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json").WithBody(body));

        var error = await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.SubmitJob));

        var ex = error.Should().BeOfType<AzureMlException>().Which;
        ex.DetailCode.Should().Be("BlobNotFound");
        ex.Message.Should().Contain("sig=***").And.Contain("AccountKey=***");
        SecretScanner.AssertNoSecrets(host, error);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(424)]
    [InlineData(500)]
    public async Task OnlineScoreWithKeys_EndpointEchoesTheKey_NothingLeaks(int status)
    {
        SecretScanner.EnsureListening();
        using var host = new FakeService(configure: Keys(inQuery: false), online: b => b.Services.Configure<AzureMl.Client.OnlineEndpoints.OnlineEndpointOptions>(FakeService.OnlineName, o =>
        {
            o.PrimaryKey = TestIds.EndpointPrimaryKey;
            o.SecondaryKey = TestIds.EndpointSecondaryKey;
        }));
        var body = $$"""{ "message": "Authorization: Bearer {{TestIds.EndpointPrimaryKey}} rejected; also tried Bearer {{TestIds.EndpointSecondaryKey}}" }""";
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json")
            .WithHeader("ms-azureml-model-error-statuscode", "500").WithHeader("ms-azureml-model-error-reason", "model_error").WithBody(body));

        var error = await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.Score));

        error.Should().BeOfType<AzureMlException>().Which.Status.Should().Be(status);
        SecretScanner.AssertNoSecrets(host, error);
    }

    [Fact]
    public async Task OnlineScoreWithEntraToken_EndpointEchoesTheToken_NothingLeaks()
    {
        SecretScanner.EnsureListening();
        using var host = new FakeService(configure: Keys(inQuery: false), online: b => b.UseEntraCredential(new StaticTokenCredential(SecretScanner.EntraToken)));
        var body = $$"""{ "message": "Bearer {{SecretScanner.EntraToken}} is expired" }""";
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json").WithBody(body));

        var error = await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.Score));

        error.Should().BeOfType<AzureMlException>().Which.Status.Should().Be(401);
        SecretScanner.AssertNoSecrets(host, error);
    }

    private sealed class StaticTokenCredential(string token) : Azure.Core.TokenCredential
    {
        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }

    [Fact]
    public async Task BothGatewayKeysRejected_NothingLeaks()
    {
        SecretScanner.EnsureListening();
        using var host = new FakeService(configure: Keys(inQuery: false));
        SubscriptionKeyHandlerTests.AcceptOnly(host.Server!, "another-key");

        var error = await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.Execute));

        error.Should().BeOfType<AzureMlException>().Which.Status.Should().Be(401);
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "SubscriptionKeyFailover");
        SecretScanner.AssertNoSecrets(host, error);
    }

    [Theory]
    [InlineData(AzureMlOperation.Execute)]
    [InlineData(AzureMlOperation.SubmitJob)]
    public async Task SasInQueryAndKeyInQuery_ConnectionRefused_NothingLeaks(AzureMlOperation operation)
    {
        SecretScanner.EnsureListening();
        using var host = new FakeService(Transport.ClosedPort, configure: Keys(inQuery: true));

        var error = await host.CaptureAsync(() => host.RunAsync(operation, extraQuery: "sig=" + SecretScanner.SasSignature));

        error.Should().BeOfType<AzureMlException>().Which.ErrorCode.Should().Be("ConnectionFailure");
        SecretScanner.AssertNoSecrets(host, error);
    }

    [Fact]
    public async Task DefaultPipeline_HttpClientFactoryWritesNoLogLines()
    {
        using var host = new FakeService(configure: Keys(inQuery: true));
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(500));

        var error = await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.GetJobStatus, extraQuery: "sig=" + SecretScanner.SasSignature));

        error.Should().BeOfType<AzureMlException>();
        host.Logs.GetSnapshot().Should().NotContain(r => r.Category != null && r.Category.StartsWith("System.Net.Http", StringComparison.Ordinal));
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "OperationFailed");
        SecretScanner.AssertNoSecrets(host, error);
    }

    [Fact]
    public async Task DefaultHttpClientLoggerAddedBack_RenderedLinesStayRedacted()
    {
        using var host = new FakeService(configure: b =>
        {
            Keys(inQuery: false)(b);
            b.HttpClientBuilder.AddDefaultLogger();
        });
        host.Server!.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(500));

        await host.CaptureAsync(() => host.RunAsync(AzureMlOperation.GetJobStatus, extraQuery: "sig=" + SecretScanner.SasSignature));

        // The rendered lines go through the header allow-list and the framework's query scrubbing. (The framework's
        // Trace-level header records also carry raw values in their structured state: the README says to keep them off.)
        var lines = host.Logs.GetSnapshot().Where(r => r.Category != null && r.Category.StartsWith("System.Net.Http", StringComparison.Ordinal)).Select(r => r.Message).ToList();
        lines.Should().Contain(l => l.Contains("Request Headers", StringComparison.Ordinal));
        lines.Should().AllSatisfy(l => SecretScanner.All.Should().AllSatisfy(secret => l.Should().NotContain(secret)));
    }

    [Fact]
    public void ToString_OfEveryOptionsAndProvider_HoldsNoSecret()
    {
        var client = new AzureMlClientOptions { Endpoint = new Uri("https://x.services.azureml.net"), WorkspaceId = "ws", ServiceId = "svc", ApiKey = TestIds.ApiKey };
        var gateway = new AzureMlGatewayOptions { PrimaryKey = SubscriptionKeyHandlerTests.Primary, SecondaryKey = SubscriptionKeyHandlerTests.Secondary };
        object[] all = [client, gateway, new AzureMlResilienceOptions(), new FixedSubscriptionKeyProvider(SubscriptionKeyHandlerTests.Primary),
            new FailoverSubscriptionKeyProvider(SubscriptionKeyHandlerTests.Primary, SubscriptionKeyHandlerTests.Secondary)];

        foreach (var o in all)
        {
            var text = o.ToString()!;
            SecretScanner.All.Should().AllSatisfy(s => text.Should().NotContain(s));
        }
    }
}
