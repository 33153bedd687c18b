using System.Text.Json;
using Azure.Core;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Client.Tests.Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.OnlineEndpoints;

/// <summary>The online endpoint client on the wire: through DI and the real handler chain against a raw scripted server.</summary>
public sealed class OnlineEndpointClientTests
{
    private const string PrimaryKey = TestIds.EndpointPrimaryKey;
    private const string SecondaryKey = TestIds.EndpointSecondaryKey;

    private static ServiceProvider Build(string url, Action<OnlineEndpointOptions>? configure = null, Action<IAzureMlClientBuilder>? builder = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var b = services.AddAzureMlOnlineEndpoint(o =>
        {
            o.ScoringUri = new Uri(url + "/score");
            o.PrimaryKey = PrimaryKey;
            configure?.Invoke(o);
        }).ConfigureResilience(o =>
        {
            o.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.MaxDelay = TimeSpan.FromMilliseconds(5);
        });
        builder?.Invoke(b);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static FakeAnswer Json(string body, int status = 200, string? headers = null) => new(WireEnd.Answer, status, body, ExtraHeaders: headers);

    [Fact]
    public async Task ScoreAsync_AnswersWithDifferentColumnsOnOneClient_EachReadWithItsOwnNames()
    {
        string[] answers =
        [
            """[{"a": 1, "b": "x"}]""",
            """[{"a": 2, "c": "y"}]""",
            """[{"a": 3, "c": "z", "d": true}]""",
            """[{"a": 4}]""",
            """[[5, 6]]""",
            """{"a": [7], "c": ["w"]}""",
        ];
        using var server = new FakeService(Transport.Socket).Answer(call => Json(answers[call.Index]));
        using var sp = Build(server.Url);
        var client = sp.GetRequiredService<IOnlineEndpointClient>();

        var outputs = new List<ScoringOutput>();
        foreach (var _ in answers)
        {
            outputs.Add(await client.ScoreAsync(new ScoringTable("x").AddRow(1)));
        }

        outputs.Select(o => string.Join(",", o.ColumnNames!)).Should().Equal("a,b", "a,c", "a,c,d", "a", "0,1", "a,c");
        outputs[1][0].GetString("c").Should().Be("y");
        outputs[2][0].GetString("d").Should().Be("True");
        outputs[5][0].GetString("c").Should().Be("w");
        outputs[0][0].GetString("b").Should().Be("x", "an earlier output keeps its own names");
    }

    [Fact]
    public async Task ScoreAsync_GeneratedAnswers_ReadTheSameByAClientThatSawTheLastOneAsByANewClient()
    {
        // A client reads an answer shaped as its last one in one pass, any other in two: both must agree.
        var random = new Random(20261201);
        string[] pool = ["a", "b", "c", "d"];
        var answers = new List<string>();
        string[] columns = ["a"];
        var form = 0;
        for (var n = 0; n < 300; n++)
        {
            if (random.Next(5) < 2)
            {
                // Otherwise shaped as the last answer, so the one-pass read is taken often.
                columns = pool.Where(_ => random.Next(3) > 0).DefaultIfEmpty("a").ToArray();
                form = random.Next(3);
            }

            var rows = Enumerable.Range(0, random.Next(0, 4)).Select(_ => columns.Where(_ => random.Next(5) > 0).ToArray()).ToList();
            string Cell() => random.Next(6) switch
            {
                0 => "null",
                1 => random.Next(-9, 99).ToString(System.Globalization.CultureInfo.InvariantCulture),
                2 => "\"t\\u00e9" + random.Next(9) + "\"",
                3 => "true",
                4 => "[1, {\"x\": 2}]",
                _ => "\"plain\"",
            };
            answers.Add(form switch
            {
                0 => "[" + string.Join(",", rows.Select(r => "{" + string.Join(",", r.Select(c => $"\"{c}\": {Cell()}")) + "}")) + "]",
                1 => "[" + string.Join(",", rows.Select(r => "[" + string.Join(",", r.Select(_ => Cell())) + "]")) + "]",
                _ => "[" + string.Join(",", rows.Select(_ => Cell())) + "]",
            });
        }

        using var server = new FakeService(Transport.Socket).Answer(request => Json(answers[int.Parse(request.Body.Split("[[")[1].Split(']')[0], System.Globalization.CultureInfo.InvariantCulture)]));
        using var sp = Build(server.Url);
        var reused = sp.GetRequiredService<IOnlineEndpointClient>();
        for (var n = 0; n < answers.Count; n++)
        {
            var table = new ScoringTable("n").AddRow(n);
            using var http = server.CreateHttpClient();
            var expected = await DescribeAsync(new OnlineEndpointClient(http, new OnlineEndpointOptions { ScoringUri = new Uri(server.Url + "/score"), PrimaryKey = PrimaryKey }), table);
            var actual = await DescribeAsync(reused, table);

            actual.Should().Be(expected, "answer {0}: {1}", n, answers[n]);
        }

        static async Task<string> DescribeAsync(IOnlineEndpointClient client, ScoringTable table)
        {
            try
            {
                var output = await client.ScoreAsync(table);
                return string.Join(",", output.ColumnNames!) + " | " + string.Join(" / ", output.Rows.Select(r => string.Join(",", Enumerable.Range(0, output.ColumnCount).Select(c => r.IsNull(c) ? "<null>" : r.GetString(c)))));
            }
            catch (AzureMlException ex)
            {
                return "failed: " + ex.InnerException?.Message;
            }
        }
    }

    [Fact]
    public async Task ScoreAsync_Table_SendsMlflowSplitWithTypedCellsAndHeaders()
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json("[0.5, 1.5]"));
        using var sp = Build(server.Url, o =>
        {
            o.Deployment = "blue";
            o.ClientRequestId = "trace-42_x";
        });
        var client = sp.GetRequiredService<IOnlineEndpointClient>();
        var options = new OnlineScoringOptions();
        options.Parameters["temperature"] = 0.8;

        var output = await client.ScoreAsync(new ScoringTable("age", "name", "member").AddRow(42, "Ann \"A\"", true).AddRow(7.5, null, false), options);

        var request = server.Received.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/score");
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetRawText().Should().Be(
            """{"input_data":{"columns":["age","name","member"],"data":[[42,"Ann \u0022A\u0022",true],[7.5,null,false]],"index":[0,1]},"params":{"temperature":0.8}}""");
        output.ColumnNames.Should().Equal("prediction");
        output.Rows.Select(r => r.GetDouble(0)).Should().Equal(0.5, 1.5);
    }

    [Fact]
    public async Task ScoreAsync_Headers_CarryKeyDeploymentAndClientRequestId()
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json("[1]"));
        using var sp = Build(server.Url, o =>
        {
            o.Deployment = "blue";
            o.ClientRequestId = "trace-42_x";
        });

        await sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x").AddRow(1));

        var head = server.ReceivedHeads.Single();
        head.Should().Contain("Authorization: Bearer " + PrimaryKey)
            .And.Contain("azureml-model-deployment: blue")
            .And.Contain("x-ms-client-request-id: trace-42_x")
            .And.Contain("Content-Type: application/json");
    }

    public static TheoryData<string, string[], string[][]> AnswerForms() => new()
    {
        { "[11633.1, 8522.1]", ["prediction"], [["11633.1"], ["8522.1"]] },
        { "[[1, 0.2], [0, 0.9]]", ["0", "1"], [["1", "0.2"], ["0", "0.9"]] },
        { """[{"label": "a", "p": 0.9}, {"label": "b", "p": 0.1, "extra": true}]""", ["label", "p", "extra"], [["a", "0.9", null!], ["b", "0.1", "True"]] },
        { """{"label": ["a", "b"], "p": [0.9, 0.1]}""", ["label", "p"], [["a", "0.9"], ["b", "0.1"]] },
        { "\"[1, 2]\"", ["prediction"], [["1"], ["2"]] },
        { "\"[{\\\"a\\\": 1}]\"", ["a"], [["1"]] },
    };

    [Theory]
    [MemberData(nameof(AnswerForms))]
    public async Task ScoreAsync_EachAnswerForm_ReadsColumnsAndCells(string answer, string[] columns, string[][] rows)
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json(answer));
        using var sp = Build(server.Url);

        var output = await sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x").AddRow(1).AddRow(2));

        output.ColumnNames.Should().Equal(columns);
        output.Rows.Select(r => Enumerable.Range(0, columns.Length).Select(c => r.IsNull(c) ? null : r.GetString(c)).ToArray())
            .Should().BeEquivalentTo(rows, o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData("42")]
    [InlineData("{\"a\": 1}")]
    [InlineData("{\"a\": [1], \"b\": [1, 2]}")]
    [InlineData("[1, [2]]")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task ScoreAsync_AnswerNotATable_ThrowsInvalidResponseBody(string answer)
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json(answer));
        using var sp = Build(server.Url);

        var act = () => sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x").AddRow(1));

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.ErrorCode.Should().Be("InvalidResponseBody");
        ex.Operation.Should().Be(AzureMlOperation.Score);
    }

    [Fact]
    public async Task ScoreAsync_ModelFails424_CarriesModelStatusReasonMessageAndRequestId()
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json(
            """{"message": "An unexpected error occurred in scoring script. Check the logs for more info."}""",
            424,
            "ms-azureml-model-error-statuscode: 500\r\nms-azureml-model-error-reason: model_error\r\nx-request-id: 6f1c2d4e-0000-4000-8000-000000000001"));
        using var sp = Build(server.Url);

        var act = () => sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x").AddRow(1));

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.Status.Should().Be(424);
        ex.ErrorSource.Should().Be(AzureMlErrorSource.Model);
        ex.ModelStatus.Should().Be(500);
        ex.ModelErrorReason.Should().Be("model_error");
        ex.RequestId.Should().Be("6f1c2d4e-0000-4000-8000-000000000001");
        ex.ServerMessage.Should().StartWith("An unexpected error occurred in scoring script");
        server.Received.Should().ContainSingle("424 is not retried: the model answered");
    }

    [Theory]
    [InlineData(429, 3)]
    [InlineData(500, 3)]
    [InlineData(502, 3)]
    [InlineData(503, 3)]
    [InlineData(504, 3)]
    [InlineData(408, 1)]
    [InlineData(404, 1)]
    public async Task ScoreAsync_Status_RetriedOnlyWhenSafe(int status, int expectedSends)
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json("""{"message": "no"}""", status));
        using var sp = Build(server.Url, builder: b => b.ConfigureResilience(o => o.MaxRetryAttempts = 2));

        var act = () => sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x").AddRow(1));

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.Status.Should().Be(status);
        ex.ErrorSource.Should().Be(AzureMlErrorSource.Endpoint);
        server.Received.Should().HaveCount(expectedSends);
    }

    [Fact]
    public async Task ScoreAsync_EndpointRefusesPrimaryKey_SendsOnceWithSecondaryAndKeepsIt()
    {
        using var keyed = new FakeService(Transport.Socket).Answer(request => request.Index == 0 ? Json("""{"message": "Unauthorized"}""", 401) : Json("[1]"));
        using var sp = Build(keyed.Url, o => o.SecondaryKey = SecondaryKey);
        var client = sp.GetRequiredService<IOnlineEndpointClient>();

        await client.ScoreAsync(new ScoringTable("x").AddRow(1));
        await client.ScoreAsync(new ScoringTable("x").AddRow(1));

        keyed.ReceivedHeads.Should().HaveCount(3);
        keyed.ReceivedHeads[0].Should().Contain("Bearer " + PrimaryKey);
        keyed.ReceivedHeads[1].Should().Contain("Bearer " + SecondaryKey);
        keyed.ReceivedHeads[2].Should().Contain("Bearer " + SecondaryKey, "the key that worked is kept");
    }

    [Fact]
    public async Task ScoreAsync_GatewayRefusesSubscriptionKey_EndpointKeyIsNotSwitched()
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json(
            """{"statusCode": 401, "message": "Access denied due to invalid subscription key."}""", 401,
            "WWW-Authenticate: AzureApiManagementKey realm=\"x\",name=\"Ocp-Apim-Subscription-Key\",type=\"header\""));
        using var sp = Build(server.Url, o => o.SecondaryKey = SecondaryKey, b => b.AddSubscriptionKey(o => o.PrimaryKey = SubscriptionKeyHandlerTests.Primary));

        var act = () => sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x").AddRow(1));

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
        server.ReceivedHeads.Should().ContainSingle().Which.Should().Contain("Bearer " + PrimaryKey).And.Contain("Ocp-Apim-Subscription-Key: " + SubscriptionKeyHandlerTests.Primary);
    }

    [Fact]
    public async Task ScoreAsync_EntraCredential_TokenCachedUntilNearExpiryAndRefreshedOnceOn401()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var credential = new CountingCredential(time);
        using var server = new FakeService(Transport.Socket).Answer(request => request.Index == 2 ? Json("""{"message": "token expired"}""", 401) : Json("[1]"));
        using var sp = Build(server.Url, o => o.PrimaryKey = null, b => b.UseEntraCredential(credential), time);
        var client = sp.GetRequiredService<IOnlineEndpointClient>();

        await client.ScoreAsync(new ScoringTable("x").AddRow(1));
        await client.ScoreAsync(new ScoringTable("x").AddRow(1));
        await client.ScoreAsync(new ScoringTable("x").AddRow(1));
        time.Advance(TimeSpan.FromMinutes(56));
        await client.ScoreAsync(new ScoringTable("x").AddRow(1));

        credential.Scopes.Should().OnlyContain(s => s == OnlineEndpointCredentialHandler.EntraScope);
        server.ReceivedHeads.Select(h => h.Contains("Bearer token-1", StringComparison.Ordinal) ? 1 : h.Contains("Bearer token-2", StringComparison.Ordinal) ? 2 : h.Contains("Bearer token-3", StringComparison.Ordinal) ? 3 : 0)
            .Should().Equal([1, 1, 1, 2, 3], "cached, then refreshed once on the 401, then refreshed before expiry");
    }

    [Theory]
    [InlineData("http://example.com/score", null, null, "ScoringUri")]
    [InlineData("https://ep.westeurope.inference.ml.azure.com/score", "b", null, "Deployment")]
    [InlineData("https://ep.westeurope.inference.ml.azure.com/score", "1blue", null, "Deployment")]
    [InlineData("https://ep.westeurope.inference.ml.azure.com/score", null, "has space", "ClientRequestId")]
    [InlineData("https://ep.westeurope.inference.ml.azure.com/score", null, "01234567890123456789012345678901234567890", "ClientRequestId")]
    public void Constructor_InvalidOptions_ThrowsNamingTheSetting(string uri, string? deployment, string? requestId, string setting)
    {
        var act = () => new OnlineEndpointClient(new HttpClient(), new OnlineEndpointOptions { ScoringUri = new Uri(uri), Deployment = deployment, ClientRequestId = requestId });

        act.Should().Throw<ArgumentException>().WithMessage($"*{setting}*");
    }

    [Fact]
    public async Task ScoreAsync_TableWithoutRows_ThrowsBeforeAnyCall()
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json("[1]"));
        using var sp = Build(server.Url);

        var act = () => sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x"));

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*no rows*");
        server.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task ScoreJsonAsync_DoubleEncodedAnswer_ReturnsWhatItHolds()
    {
        using var server = new FakeService(Transport.Socket).Answer(_ => Json("\"{\\\"result\\\": [1, 2]}\""));
        using var sp = Build(server.Url);

        var answer = await sp.GetRequiredService<IOnlineEndpointClient>().ScoreJsonAsync("""{"data": [[1, 2]]}"""u8.ToArray());

        answer.GetProperty("result").GetArrayLength().Should().Be(2);
        server.Received.Single().Body.Should().Be("""{"data": [[1, 2]]}""");
    }

    [Fact]
    public async Task ScoreAsync_Failures_NoKeyOrTokenInMessagesOrLogs()
    {
        using var server = new FakeService(Transport.Socket).Answer(call => call.Index % 2 == 0
            ? Json("""{"message": "Unauthorized"}""", 401)
            : Json("""{"message": "boom"}""", 424, "ms-azureml-model-error-statuscode: 500"));
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace));
        services.AddFakeLogging();
        var credential = new CountingCredential(new FakeTimeProvider(DateTimeOffset.UtcNow));
        services.AddAzureMlOnlineEndpoint("keys", o =>
        {
            o.ScoringUri = new Uri(server.Url + "/score");
            o.PrimaryKey = PrimaryKey;
            o.SecondaryKey = SecondaryKey;
        }).ConfigureResilience(o => o.MaxRetryAttempts = 0);
        services.AddAzureMlOnlineEndpoint("entra", o => o.ScoringUri = new Uri(server.Url + "/score"))
            .UseEntraCredential(credential).ConfigureResilience(o => o.MaxRetryAttempts = 0);
        using var sp = services.BuildServiceProvider();

        var errors = new List<Exception>();
        foreach (var name in new[] { "keys", "entra" })
        {
            for (var i = 0; i < 2; i++)
            {
                try
                {
                    await sp.GetRequiredKeyedService<IOnlineEndpointClient>(name).ScoreAsync(new ScoringTable("x").AddRow(1));
                }
                catch (AzureMlException ex)
                {
                    errors.Add(ex);
                }
            }
        }

        errors.Should().NotBeEmpty();
        var texts = errors.SelectMany(e => new[] { e.Message, e.ToString() })
            .Concat(sp.GetFakeLogCollector().GetSnapshot().SelectMany(r => new[] { r.Message, r.ToString(), r.Exception?.ToString() ?? string.Empty }))
            .ToList();
        foreach (var secret in new[] { PrimaryKey, SecondaryKey, "token-1", "token-2", "token-3" })
        {
            texts.Should().NotContain(t => t.Contains(secret, StringComparison.Ordinal), "{0} is a secret", secret);
        }
    }

    [Fact]
    public async Task ScoreAsync_AmlToken_FetchedFromTheTokenOperationAndCachedUntilRefreshAfter()
    {
        const string ResourceId = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1/onlineEndpoints/ep1";
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var issued = 0;
        using var arm = new FakeService(Transport.Socket).Answer(request =>
        {
            var n = Interlocked.Increment(ref issued);
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            return request.Method == "POST" && request.Path == ResourceId + "/token"
                ? Json($$"""{"accessToken":"aml-{{n}}","expiryTimeUtc":{{now + 3600}},"refreshAfterTimeUtc":{{now + 1800}},"tokenType":"Bearer"}""")
                : Json("""{"error":{"code":"NotFound"}}""", 404);
        });
        var management = new CountingCredential(time);
        using var server = new FakeService(Transport.Socket).Answer(_ => Json("[1]"));
        using var sp = Build(server.Url, o => o.PrimaryKey = null, b => b.UseAmlToken(ResourceId, management, new Uri(arm.Url)), time);
        var client = sp.GetRequiredService<IOnlineEndpointClient>();

        await client.ScoreAsync(new ScoringTable("x").AddRow(1));
        await client.ScoreAsync(new ScoringTable("x").AddRow(1));
        time.Advance(TimeSpan.FromMinutes(31));
        await client.ScoreAsync(new ScoringTable("x").AddRow(1));

        arm.Received.Should().HaveCount(2, "fetched once, then again after refreshAfterTimeUtc");
        arm.ReceivedHeads.Should().OnlyContain(h => h.Contains("Authorization: Bearer token-", StringComparison.Ordinal), "the token operation is called with the management credential");
        arm.ReceivedHeads[0].Should().Contain("api-version=2024-04-01");
        management.Scopes.Should().OnlyContain(s => s == "https://management.azure.com/.default");
        server.ReceivedHeads.Select(h => h.Contains("Bearer aml-1", StringComparison.Ordinal) ? 1 : h.Contains("Bearer aml-2", StringComparison.Ordinal) ? 2 : 0)
            .Should().Equal(1, 1, 2);
    }

    [Fact]
    public async Task ScoreAsync_AmlTokenOperationRefused_TypedErrorNamingWhatToCheck()
    {
        using var arm = new FakeService(Transport.Socket).Answer(_ => Json("""{"error":{"code":"AuthorizationFailed"}}""", 403));
        using var server = new FakeService(Transport.Socket).Answer(_ => Json("[1]"));
        using var sp = Build(server.Url, o => o.PrimaryKey = null, b => b.UseAmlToken(
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e", new CountingCredential(new FakeTimeProvider()), new Uri(arm.Url)));

        var act = () => sp.GetRequiredService<IOnlineEndpointClient>().ScoreAsync(new ScoringTable("x").AddRow(1));

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.ErrorCode.Should().Be("TokenUnavailable");
        ex.Message.Should().Contain("403").And.Contain("onlineEndpoints/token/action");
        server.Received.Should().BeEmpty("nothing is scored without a credential");
    }

    [Fact]
    public void FromAmlToken_NotAnEndpointResourceId_ThrowsNamingTheShape()
    {
        var act = () => OnlineEndpointCredentialHandler.FromAmlToken("/subscriptions/s/resourceGroups/r", new CountingCredential(new FakeTimeProvider()));

        act.Should().Throw<ArgumentException>().WithMessage("*onlineEndpoints/{name}*");
    }

    private sealed class CountingCredential(FakeTimeProvider time) : TokenCredential
    {
        private int _issued;

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.AddRange(requestContext.Scopes);
            }

            var n = Interlocked.Increment(ref _issued);
            return ValueTask.FromResult(new AccessToken("token-" + n, time.GetUtcNow().AddHours(1)));
        }
    }
}
