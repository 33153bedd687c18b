using AzureMl.Client.OnlineEndpoints;
using AzureMl.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Client.Tests.OnlineEndpoints;

/// <summary>The public online client, registered as an app would, against the emulator's online endpoints.</summary>
public sealed class OnlineEmulatorTests
{
    private static readonly int[] GoodDay = [1, 1, 2, 2, 0, 2, 0, 1];

    private static Task<AzureMlEmulator> StartAsync(Action<AzureMlEmulatorOptions>? configure = null)
    {
        var options = new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" };
        configure?.Invoke(options);
        return AzureMlEmulator.StartAsync(options);
    }

    private static ServiceProvider Services(AzureMlEmulator emulator, Action<OnlineEndpointOptions>? configure = null, Action<IAzureMlClientBuilder>? build = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddAzureMlOnlineEndpoint(o =>
        {
            o.ScoringUri = emulator.OnlineScoringUri;
            configure?.Invoke(o);
        });
        build?.Invoke(builder);
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static async Task<int[]> ScoreGoodDayAsync(IOnlineEndpointClient client, OnlineScoringOptions? options = null)
    {
        var output = await client.ScoreAsync(new ScoringTable("Col2").AddRow("This is a good day"), options);
        return [.. Enumerable.Range(0, 8).Select(j => output[0].GetInt32($"Col2_HashingFeature.{j}"))];
    }

    [Fact]
    public async Task ScoreAsync_DefaultEndpointWithKey_FeatureHashingCheckVector()
    {
        await using var emulator = await StartAsync();
        await using var services = Services(emulator, o => o.PrimaryKey = emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName));

        var features = await ScoreGoodDayAsync(services.GetRequiredService<IOnlineEndpointClient>());

        features.Should().Equal(GoodDay);
        emulator.ReceivedCount(EmulatorRoute.Score, EmulatedOnlineEndpoint.DefaultName).Should().Be(1);
    }

    [Fact]
    public async Task ScoreAsync_PrimaryKeyRegenerated_FailsOverToSecondary()
    {
        await using var emulator = await StartAsync();
        await using var services = Services(emulator, o =>
        {
            o.PrimaryKey = emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName, KeyType.Primary);
            o.SecondaryKey = emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName, KeyType.Secondary);
        });
        var client = services.GetRequiredService<IOnlineEndpointClient>();
        emulator.RegenerateKey(EmulatedOnlineEndpoint.DefaultName, KeyType.Primary);

        var features = await ScoreGoodDayAsync(client);

        features.Should().Equal(GoodDay);
        emulator.ReceivedCount(EmulatorRoute.Score).Should().Be(2, "the old primary key is refused once, then the secondary key is used");
    }

    [Fact]
    public async Task ScoreAsync_BothKeysRegenerated_EndpointUnauthorized()
    {
        await using var emulator = await StartAsync();
        await using var services = Services(emulator, o =>
        {
            o.PrimaryKey = EmulatedOnlineEndpoint.DefaultPrimaryKey;
            o.SecondaryKey = EmulatedOnlineEndpoint.DefaultSecondaryKey;
        });
        emulator.RegenerateKey(EmulatedOnlineEndpoint.DefaultName, KeyType.Primary);
        emulator.RegenerateKey(EmulatedOnlineEndpoint.DefaultName, KeyType.Secondary);

        var act = () => ScoreGoodDayAsync(services.GetRequiredService<IOnlineEndpointClient>());

        var error = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        error.Status.Should().Be(401);
        error.ErrorSource.Should().Be(AzureMlErrorSource.Endpoint);
        error.Message.Should().NotContain(EmulatedOnlineEndpoint.DefaultPrimaryKey);
    }

    [Fact]
    public async Task ScoreAsync_EntraEndpoint_UseEntraCredentialWithEmulatorTokens()
    {
        await using var emulator = await StartAsync(o => o.OnlineEndpoints[0].AuthMode = OnlineEndpointAuthMode.EntraToken);
        await using var services = Services(emulator, build: b => b.UseEntraCredential(emulator.TokenCredential));
        var client = services.GetRequiredService<IOnlineEndpointClient>();

        (await ScoreGoodDayAsync(client)).Should().Equal(GoodDay);
        (await ScoreGoodDayAsync(client)).Should().Equal(GoodDay);

        emulator.TokenCredential.TokenRequests.Should().Be(1, "the client caches the token");
    }

    [Fact]
    public async Task ScoreAsync_PinnedDeploymentWithoutTraffic_ServedByIt()
    {
        var green = EmulatedModel.Create([new EmulatedColumn("Col2")], [new EmulatedColumn("answer", "Int32")], _ => ["42"]);
        await using var emulator = await StartAsync(o => o.OnlineEndpoints[0].Deployments.Add(new EmulatedDeployment("green", green) { TrafficPercent = 0 }));
        await using var services = Services(emulator, o => o.PrimaryKey = EmulatedOnlineEndpoint.DefaultPrimaryKey);
        var client = services.GetRequiredService<IOnlineEndpointClient>();

        var pinned = await client.ScoreAsync(new ScoringTable("Col2").AddRow("x"), new OnlineScoringOptions { Deployment = "green" });
        var unpinned = await ScoreGoodDayAsync(client);

        pinned[0].GetInt32("answer").Should().Be(42);
        unpinned.Should().Equal(GoodDay);
    }

    [Fact]
    public async Task ScoreAsync_NoTraffic_EndpointNotFound()
    {
        await using var emulator = await StartAsync(o => o.OnlineEndpoints[0].Deployments[0].TrafficPercent = 0);
        await using var services = Services(emulator, o => o.PrimaryKey = EmulatedOnlineEndpoint.DefaultPrimaryKey);

        var act = () => ScoreGoodDayAsync(services.GetRequiredService<IOnlineEndpointClient>());

        var error = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        error.Status.Should().Be(404);
        error.ErrorSource.Should().Be(AzureMlErrorSource.Endpoint);
        error.Message.Should().Contain("positive weight");
    }

    [Fact]
    public async Task ScoreAsync_ModelThrows_ModelErrorWithContainerStatus()
    {
        var model = EmulatedModel.Create([new EmulatedColumn("Col2")], [new EmulatedColumn("y")], _ => throw new InvalidOperationException("boom"));
        await using var emulator = await StartAsync(o => o.OnlineEndpoints[0] = EmulatedOnlineEndpoint.CreateDefault(model));
        await using var services = Services(emulator, o => o.PrimaryKey = EmulatedOnlineEndpoint.DefaultPrimaryKey);

        var act = () => ScoreGoodDayAsync(services.GetRequiredService<IOnlineEndpointClient>());

        var error = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        error.Status.Should().Be(424);
        error.ErrorSource.Should().Be(AzureMlErrorSource.Model);
        error.ModelStatus.Should().Be(500);
        error.ModelErrorReason.Should().Be("model_error");
        error.Message.Should().Contain("An unexpected error occurred in scoring script");
        emulator.ReceivedCount(EmulatorRoute.Score).Should().Be(1, "a model's 500 is not retried");
    }

    [Fact]
    public async Task ScoreAsync_ThroughGateway_SubscriptionKeyAndEndpointKey()
    {
        await using var emulator = await StartAsync(o => o.Gateway = new EmulatorGatewayOptions());
        await using var services = Services(emulator, o => o.PrimaryKey = EmulatedOnlineEndpoint.DefaultPrimaryKey, b => b.AddSubscriptionKey(emulator.PrimarySubscriptionKey!));

        var features = await ScoreGoodDayAsync(services.GetRequiredService<IOnlineEndpointClient>());

        features.Should().Equal(GoodDay);
        emulator.OnlineScoringUri!.AbsolutePath.Should().StartWith("/azureml-demo/");
    }

    [Fact]
    public async Task ScoreAsync_ThroughGatewayWithoutSubscriptionKey_GatewayError()
    {
        await using var emulator = await StartAsync(o => o.Gateway = new EmulatorGatewayOptions());
        await using var services = Services(emulator, o => o.PrimaryKey = EmulatedOnlineEndpoint.DefaultPrimaryKey);

        var act = () => ScoreGoodDayAsync(services.GetRequiredService<IOnlineEndpointClient>());

        var error = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        error.Status.Should().Be(401);
        error.ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
    }
    private static (AzureMlEmulatorOptions Options, TaskCompletionSource Gate) BlockingEndpoint(TimeSpan requestTimeout)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create([new EmulatedColumn("Col2")], [new EmulatedColumn("y")], async (row, _) =>
        {
            await gate.Task;
            return (IReadOnlyList<string?>)["1"];
        });
        var endpoint = EmulatedOnlineEndpoint.CreateDefault(model);
        endpoint.Deployments[0].RequestTimeout = requestTimeout;
        var options = new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" };
        options.OnlineEndpoints.Clear();
        options.OnlineEndpoints.Add(endpoint);
        return (options, gate);
    }

    [Fact]
    public async Task ScoreAsync_BeyondTwiceTheInstanceConcurrency_ThrottledAndRetriedByThePipeline()
    {
        var (options, gate) = BlockingEndpoint(TimeSpan.FromMinutes(1));
        await using var emulator = await AzureMlEmulator.StartAsync(options);
        await using var services = Services(
            emulator,
            o => o.PrimaryKey = emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName),
            b => b.ConfigureResilience(r => r.MaxRetryAttempts = 0));
        var client = services.GetRequiredService<IOnlineEndpointClient>();

        // 2 × 1 request per instance × 1 instance in flight; the third is refused at once.
        var first = client.ScoreAsync(new ScoringTable("Col2").AddRow("a"));
        var second = client.ScoreAsync(new ScoringTable("Col2").AddRow("b"));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (emulator.ReceivedCount(EmulatorRoute.Score, EmulatedOnlineEndpoint.DefaultName) < 2)
        {
            waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "both calls reach the endpoint");
            await Task.Delay(1);
        }

        var third = () => client.ScoreAsync(new ScoringTable("Col2").AddRow("c"));
        var ex = (await third.Should().ThrowAsync<AzureMlException>()).Which;
        gate.SetResult();
        await Task.WhenAll(first, second);

        ex.Status.Should().Be(429);
        ex.ErrorSource.Should().Be(AzureMlErrorSource.Endpoint);
        ex.IsThrottling.Should().BeTrue();
    }

    [Fact]
    public async Task ScoreAsync_ModelPastRequestTimeout_408NotRetried()
    {
        var (options, gate) = BlockingEndpoint(TimeSpan.FromMilliseconds(200));
        await using var emulator = await AzureMlEmulator.StartAsync(options);
        await using var services = Services(emulator, o => o.PrimaryKey = emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName));
        var client = services.GetRequiredService<IOnlineEndpointClient>();

        var act = () => client.ScoreAsync(new ScoringTable("Col2").AddRow("a"));

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        gate.SetResult();
        ex.Status.Should().Be(408);
        ex.Message.Should().Contain("request_timeout_ms");
        emulator.ReceivedCount(EmulatorRoute.Score, EmulatedOnlineEndpoint.DefaultName).Should().Be(1, "the model may still be working: a 408 is not sent again by default");
    }

    [Fact]
    public async Task ScoreAsync_PinnedDeployment_SpanAndMetricsCarryEndpointAndDeployment()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == AzureMl.Client.Telemetry.AzureMlDiagnostics.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var emulator = await StartAsync();
        await using var services = Services(emulator, o =>
        {
            o.PrimaryKey = emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName);
            o.Deployment = EmulatedOnlineEndpoint.DefaultDeploymentName;
            o.ClientRequestId = "span-test-42";
        });

        await ScoreGoodDayAsync(services.GetRequiredService<IOnlineEndpointClient>());

        spans.Should().Contain(a => a.DisplayName == AzureMl.Client.Telemetry.AzureMlDiagnostics.ScoreSpan
            && (a.GetTagItem(AzureMl.Client.Telemetry.AzureMlDiagnostics.EndpointTag) as string) == emulator.OnlineScoringUri!.Host
            && (a.GetTagItem(AzureMl.Client.Telemetry.AzureMlDiagnostics.DeploymentTag) as string) == EmulatedOnlineEndpoint.DefaultDeploymentName);
    }
    [Fact]
    public async Task ScoreAsync_AmlTokenEndpoint_TokenFromTheEmulatedResourceManager()
    {
        await using var emulator = await StartAsync(o => o.OnlineEndpoints[0].AuthMode = OnlineEndpointAuthMode.AmlToken);
        var name = EmulatedOnlineEndpoint.DefaultName;
        await using var withToken = Services(emulator, build: b => b.UseAmlToken(emulator.GetOnlineEndpointResourceId(name), emulator.TokenCredential, emulator.ManagementEndpoint));
        await using var withKey = Services(emulator, o => o.PrimaryKey = emulator.GetOnlineEndpointKey(name));

        var features = await ScoreGoodDayAsync(withToken.GetRequiredService<IOnlineEndpointClient>());
        var refused = () => ScoreGoodDayAsync(withKey.GetRequiredService<IOnlineEndpointClient>());

        features.Should().Equal(GoodDay);
        (await refused.Should().ThrowAsync<AzureMlException>()).Which.Status.Should().Be(401, "an aml_token endpoint takes no key");
    }

    [Fact]
    public async Task ResourceManager_ListAndRegenerateKeys_WithAManagementTokenOnly()
    {
        await using var emulator = await StartAsync();
        var name = EmulatedOnlineEndpoint.DefaultName;
        var operation = new Uri(emulator.ManagementEndpoint, emulator.GetOnlineEndpointResourceId(name).TrimStart('/') + "/");
        using var http = new HttpClient();
        var scoringToken = emulator.IssueEntraToken().Token;
        var managementToken = emulator.IssueEntraToken("https://management.azure.com/.default").Token;

        async Task<HttpResponseMessage> PostAsync(string op, string token, string? body = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(operation, op + "?api-version=2024-04-01"))
            {
                Content = new StringContent(body ?? string.Empty, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return await http.SendAsync(request);
        }

        (await PostAsync("listKeys", scoringToken)).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, "a scoring token is not a Resource Manager token");
        using var keys = System.Text.Json.JsonDocument.Parse(await (await PostAsync("listKeys", managementToken)).Content.ReadAsStringAsync());
        (await PostAsync("regenerateKeys", managementToken, """{"keyType":"Primary","keyValue":"chosen-primary"}""")).StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);

        keys.RootElement.GetProperty("primaryKey").GetString().Should().Be(EmulatedOnlineEndpoint.DefaultPrimaryKey);
        keys.RootElement.GetProperty("secondaryKey").GetString().Should().Be(EmulatedOnlineEndpoint.DefaultSecondaryKey);
        emulator.GetOnlineEndpointKey(name).Should().Be("chosen-primary");
    }
}
