using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Emulator.Tests.OnlineEndpoints;

public sealed class ScoreTests
{
    private static readonly EmulatedColumn[] XIn = [new("x")];
    private static readonly EmulatedColumn[] YOut = [new("y")];

    [Fact]
    public async Task Score_DefaultEndpoint_AnswersFeatureHashingRecordsWithNumbers()
    {
        await using var emulator = await OnlineTestKit.StartAsync();

        using var response = await emulator.ScoreAsync(configure: r => r.Headers.Add("x-ms-client-request-id", "my-trace_1"));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var rows = JsonNode.Parse(text)!.AsArray();
        rows.Should().HaveCount(1);
        rows[0]!["Col2"]!.GetValue<string>().Should().Be("This is a good day");
        Enumerable.Range(0, 8).Select(j => rows[0]![$"Col2_HashingFeature.{j}"]!.GetValue<int>()).Should().Equal(1, 1, 2, 2, 0, 2, 0, 1);
        Guid.TryParse(response.Header("x-request-id"), out _).Should().BeTrue();
        response.Header("x-ms-client-request-id").Should().Be("my-trace_1");
        response.Header("azureml-model-deployment").Should().Be("blue");
        emulator.ReceivedCount(EmulatorRoute.Score, EmulatedOnlineEndpoint.DefaultName).Should().Be(1);
        emulator.OnlineScoringUri.Should().Be(emulator.GetOnlineScoringUri("feature-hashing"));
        emulator.OnlineScoringUri!.AbsolutePath.Should().Be("/onlineEndpoints/feature-hashing/score");
    }

    [Fact]
    public async Task Score_MissingOrWrongKey_Unauthorized()
    {
        await using var emulator = await OnlineTestKit.StartAsync();

        using var missing = await emulator.ScoreAsync(key: null);
        using var wrong = await emulator.ScoreAsync(key: "not-the-key");
        using var secondary = await emulator.ScoreAsync(key: EmulatedOnlineEndpoint.DefaultSecondaryKey);

        await missing.ShouldBeMessageAsync(401, "Authentication failed");
        await wrong.ShouldBeMessageAsync(401, "Authentication failed");
        Guid.TryParse(wrong.Header("x-request-id"), out _).Should().BeTrue();
        (await wrong.Content.ReadAsStringAsync()).Should().NotContain(EmulatedOnlineEndpoint.DefaultPrimaryKey);
        secondary.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RegenerateKey_Primary_OldKeyRefusedNewKeyAccepted()
    {
        await using var emulator = await OnlineTestKit.StartAsync();

        var key = emulator.RegenerateKey(EmulatedOnlineEndpoint.DefaultName, KeyType.Primary);
        using var old = await emulator.ScoreAsync();
        using var fresh = await emulator.ScoreAsync(key: key);

        key.Should().NotBe(EmulatedOnlineEndpoint.DefaultPrimaryKey);
        emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName).Should().Be(key);
        old.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        fresh.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Score_EntraEndpoint_AcceptsOnlyUnexpiredMlTokens()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await OnlineTestKit.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.OnlineEndpoints[0].AuthMode = OnlineEndpointAuthMode.EntraToken;
        });

        var token = emulator.IssueEntraToken().Token;
        using var ok = await emulator.ScoreAsync(key: token);
        using var key = await emulator.ScoreAsync();
        using var management = await emulator.ScoreAsync(key: emulator.IssueEntraToken("https://management.azure.com/.default").Token);
        time.Advance(TimeSpan.FromHours(1));
        using var expired = await emulator.ScoreAsync(key: token);

        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        key.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        management.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        expired.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Score_DeploymentHeader_PinsDeploymentEvenWithoutTraffic()
    {
        await using var emulator = await OnlineTestKit.StartAsync(o =>
        {
            o.OnlineEndpoints[0].Deployments[0].TrafficPercent = 100;
            o.OnlineEndpoints[0].Deployments.Add(new EmulatedDeployment("green", EmulatedModel.Create([new EmulatedColumn("Col2")], YOut, _ => ["green"])) { TrafficPercent = 0 });
        });

        using var green = await emulator.ScoreAsync(configure: r => r.Headers.Add("azureml-model-deployment", "green"));
        using var unpinned = await emulator.ScoreAsync();
        using var unknown = await emulator.ScoreAsync(configure: r => r.Headers.Add("azureml-model-deployment", "purple"));

        green.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(await green.Content.ReadAsStringAsync())![0]!["y"]!.GetValue<string>().Should().Be("green");
        green.Header("azureml-model-deployment").Should().Be("green");
        unpinned.Header("azureml-model-deployment").Should().Be("blue");
        await unknown.ShouldBeMessageAsync(404, "The endpoint 'feature-hashing' has no deployment 'purple'");
    }

    [Fact]
    public async Task Score_NoDeploymentWithTraffic_NotFound()
    {
        await using var emulator = await OnlineTestKit.StartAsync(o => o.OnlineEndpoints[0].Deployments[0].TrafficPercent = 0);

        using var response = await emulator.ScoreAsync();
        using var pinned = await emulator.ScoreAsync(configure: r => r.Headers.Add("azureml-model-deployment", "blue"));

        await response.ShouldBeMessageAsync(404, "The endpoint 'feature-hashing' doesn't have any valid deployment with positive weight.");
        pinned.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Score_BeyondInFlightCap_TooManyRequests()
    {
        var entered = 0;
        var allEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create(XIn, YOut, async (row, ct) =>
        {
            if (Interlocked.Increment(ref entered) == 4)
            {
                allEntered.TrySetResult();
            }

            await release.Task.WaitAsync(ct);
            return ["done"];
        });
        await using var emulator = await OnlineTestKit.StartAsync(o =>
        {
            o.OnlineEndpoints.Clear();
            var endpoint = new EmulatedOnlineEndpoint("capped");
            endpoint.Deployments.Add(new EmulatedDeployment("blue", model) { MaxConcurrentRequestsPerInstance = 2, InstanceCount = 1 });
            o.OnlineEndpoints.Add(endpoint);
        });
        const string body = """{"input_data":{"columns":["x"],"index":[0],"data":[["a"]]}}""";

        var running = Enumerable.Range(0, 4).Select(_ => emulator.ScoreAsync(body, endpoint: "capped")).ToArray();
        await allEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var fifth = await emulator.ScoreAsync(body, endpoint: "capped");
        release.SetResult();
        var answers = await Task.WhenAll(running);

        await fifth.ShouldBeMessageAsync(429, "Too many pending requests");
        answers.Select(a => a.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Score_LongerThanRequestTimeout_UpstreamRequestTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<IReadOnlyList<string?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create(XIn, YOut, (row, ct) =>
        {
            entered.TrySetResult();
            return new ValueTask<IReadOnlyList<string?>>(never.Task); // ignores its token: the endpoint cuts it off anyway
        });
        await using var emulator = await OnlineTestKit.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.OnlineEndpoints[0] = new EmulatedOnlineEndpoint("slow") { Deployments = { new EmulatedDeployment("blue", model) { RequestTimeout = TimeSpan.FromSeconds(3) } } };
        });

        var call = emulator.ScoreAsync("""{"input_data":{"columns":["x"],"index":[0],"data":[["a"]]}}""", endpoint: "slow");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(2));
        call.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(30));

        response.StatusCode.Should().Be(HttpStatusCode.RequestTimeout);
        (await response.Content.ReadAsStringAsync()).Should().Be("upstream request timeout");
    }

    [Fact]
    public async Task Score_ModelThrows_ModelErrorWrapping500()
    {
        var model = EmulatedModel.Create([new EmulatedColumn("Col2")], YOut, _ => throw new InvalidOperationException("secret detail"));
        await using var emulator = await OnlineTestKit.StartAsync(o => o.OnlineEndpoints[0] = EmulatedOnlineEndpoint.CreateDefault(model));

        using var response = await emulator.ScoreAsync();

        await response.ShouldBeModelErrorAsync(500, "An unexpected error occurred in scoring script. Check the logs for more info.");
        response.Header("x-ms-run-function-failed").Should().Be("True");
    }

    [Fact]
    public async Task Score_WrongContentType_ModelErrorWrapping415()
    {
        await using var emulator = await OnlineTestKit.StartAsync();

        using var response = await emulator.ScoreAsync(contentType: "text/plain");

        await response.ShouldBeModelErrorAsync(415, "Expects Content-Type to be application/json");
    }

    [Theory]
    [InlineData("""{"data":[["x"]]}""", "A value is not provided for the 'input_data' parameter.")]
    [InlineData("""{"input_data": """, "POST body could not be decoded as JSON: ")]
    [InlineData("[1]", "POST body should be a JSON dictionary.")]
    [InlineData("", "POST body is empty. Expecting a JSON dictionary.")]
    [InlineData("""{"input_data":{"columns":["Other"],"index":[0],"data":[["x"]]}}""", "Failed to enforce schema of data: input_data has no column 'Col2'")]
    public async Task Score_BadBody_ModelErrorWrapping400(string body, string message)
    {
        await using var emulator = await OnlineTestKit.StartAsync();

        using var response = await emulator.ScoreAsync(body);

        await response.ShouldBeModelErrorAsync(400, message);
    }

    [Fact]
    public async Task Score_InjectedFault_AnsweredAndCounted()
    {
        await using var emulator = await OnlineTestKit.StartAsync();
        emulator.Faults.Add(EmulatorRoute.Score, EmulatorFault.Status(503, body: FaultBody.Empty));

        using var faulted = await emulator.ScoreAsync();
        using var next = await emulator.ScoreAsync();

        faulted.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        next.StatusCode.Should().Be(HttpStatusCode.OK);
        emulator.ReceivedCount(EmulatorRoute.Score).Should().Be(2);
        emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(0);
    }

    [Theory]
    [InlineData("", "swagger", "2.0")]
    [InlineData("?version=2", "swagger", "2.0")]
    [InlineData("?version=3", "openapi", "3.0.1")]
    public async Task Swagger_Version_DescribesDeploymentColumns(string query, string member, string version)
    {
        await using var emulator = await OnlineTestKit.StartAsync();

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Get, new Uri(emulator.GetOnlineScoringUri("feature-hashing").ToString().Replace("/score", "/swagger.json", StringComparison.Ordinal) + query), apiKey: EmulatedOnlineEndpoint.DefaultPrimaryKey);

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var doc = JsonNode.Parse(text)!;
        doc[member]!.GetValue<string>().Should().Be(version);
        text.Should().Contain("\"Col2_HashingFeature.7\":{\"type\":\"integer\"}").And.Contain("input_data");
    }

    [Fact]
    public async Task Swagger_UnknownVersionOrNoKey_NotFoundOrUnauthorized()
    {
        await using var emulator = await OnlineTestKit.StartAsync();
        var swagger = emulator.GetOnlineScoringUri("feature-hashing").ToString().Replace("/score", "/swagger.json", StringComparison.Ordinal);

        using var v4 = await EmulatorHttp.SendAsync(HttpMethod.Get, new Uri(swagger + "?version=4"), apiKey: EmulatedOnlineEndpoint.DefaultPrimaryKey);
        using var noKey = await EmulatorHttp.SendAsync(HttpMethod.Get, new Uri(swagger), apiKey: null);

        await v4.ShouldBeMessageAsync(404, "Swagger version [4] is not valid.");
        noKey.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Score_ThroughGateway_NeedsSubscriptionKeyAndEndpointKey()
    {
        await using var emulator = await OnlineTestKit.StartAsync(o => o.Gateway = new EmulatorGatewayOptions());
        void Subscription(HttpRequestMessage r) => r.Headers.Add("Ocp-Apim-Subscription-Key", emulator.PrimarySubscriptionKey);

        using var ok = await emulator.ScoreAsync(configure: Subscription);
        using var noSubscription = await emulator.ScoreAsync();
        using var noEndpointKey = await emulator.ScoreAsync(key: null, configure: Subscription);

        emulator.OnlineScoringUri!.AbsolutePath.Should().Be("/azureml-demo/onlineEndpoints/feature-hashing/score");
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        await noSubscription.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized, "Access denied due to missing subscription key");
        await noEndpointKey.ShouldBeMessageAsync(401, "Authentication failed");
    }

    [Fact]
    public async Task Score_GatewayInjectsKey_CallerSendsOnlySubscriptionKey()
    {
        await using var emulator = await OnlineTestKit.StartAsync(o => o.Gateway = new EmulatorGatewayOptions { InjectApiKey = true });

        using var response = await emulator.ScoreAsync(key: null, configure: r => r.Headers.Add("Ocp-Apim-Subscription-Key", emulator.PrimarySubscriptionKey));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Start_TrafficOver100Percent_Refused()
    {
        var options = new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" };
        options.OnlineEndpoints[0].Deployments.Add(new EmulatedDeployment("green", new FeatureHashingModel()) { TrafficPercent = 10 });

        var act = () => AzureMlEmulator.StartAsync(options);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*110%*");
    }
}
