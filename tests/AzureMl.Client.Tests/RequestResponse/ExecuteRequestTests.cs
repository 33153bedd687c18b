using WireMock.Logging;

namespace AzureMl.Client.Tests.RequestResponse;

public sealed class ExecuteRequestTests : IDisposable
{
    private readonly FakeService _server = new();

    public void Dispose() => _server.Dispose();

    private static string Header(ILogEntry entry, string name) =>
        entry.RequestMessage.Headers!.Single(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value.Single();

    private static IDictionary<string, string> Query(ILogEntry entry) =>
        entry.RequestMessage.Query!.ToDictionary(q => q.Key, q => q.Value.Single());

    [Fact]
    public async Task ExecuteAsync_TableForm_SendsExactRequest()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var client = _server.CreateClient();
        var table = new ScoringTable("Col2").AddRow("This is a good day");

        await client.ExecuteAsync(new ScoringRequest(table));

        var entry = _server.WireMockLog.Should().ContainSingle().Subject;
        entry.RequestMessage.Method.Should().Be("POST");
        entry.RequestMessage.Path.Should().Be(FakeService.ServicePath + "/execute");
        Query(entry).Should().BeEquivalentTo(new Dictionary<string, string> { ["api-version"] = "2.0", ["details"] = "true" });
        Header(entry, "Authorization").Should().Be("Bearer " + TestIds.ApiKey);
        Header(entry, "Content-Type").Should().Be("application/json");
        Header(entry, "Accept").Should().Be("application/json");
        entry.RequestMessage.Body.Should().Be("""{"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[["This is a good day"]]}},"GlobalParameters":{}}""");
    }

    [Fact]
    public async Task ExecuteAsync_SeveralInputsParametersAndNulls_WritesAllInOrder()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var client = _server.CreateClient();
        var request = new ScoringRequest();
        request.Inputs["input1"] = new ScoringTable("a", "b").AddRow(1, null).AddRow(2.5, "x \"q\"");
        request.Inputs["input2"] = new ScoringTable("c").AddRow(true);
        request.GlobalParameters["Threshold"] = "0.5";
        request.GlobalParameters["Mode"] = "fast";

        await client.ExecuteAsync(request);

        _server.WireMockLog.Single().RequestMessage.Body.Should().Be(
            """{"Inputs":{"input1":{"ColumnNames":["a","b"],"Values":[["1",null],["2.5","x \u0022q\u0022"]]},"input2":{"ColumnNames":["c"],"Values":[["True"]]}},"GlobalParameters":{"Threshold":"0.5","Mode":"fast"}}""");
    }

    [Fact]
    public async Task ExecuteAsync_DetailsOff_OmitsDetailsQuery()
    {
        _server.Always(FakeAnswer.Json("""{"Results":{"output1":{"type":"table","value":{"Values":[["1"]]}}}}"""));
        var client = _server.CreateClient();

        var result = await client.ExecuteAsync(new ScoringRequest(new ScoringTable("a").AddRow("1")), new ScoringOptions { Details = false });

        Query(_server.WireMockLog.Single()).Should().BeEquivalentTo(new Dictionary<string, string> { ["api-version"] = "2.0" });
        result.DefaultOutput.ColumnNames.Should().BeNull();
        result.DefaultOutput[0].GetInt32(0).Should().Be(1);
    }

    [Fact]
    public async Task ExecuteAsync_SingleTable_ReturnsFirstOutput()
    {
        _server.Always(FakeAnswer.Json("""
            {"Results":{"output2":{"type":"table","value":{"ColumnNames":["b"],"Values":[["2"]]}},
                        "output1":{"type":"table","value":{"ColumnNames":["Col2","Score"],"Values":[["good",0.9]]}}}}
            """));
        var client = _server.CreateClient();

        var output = await client.ExecuteAsync(new ScoringTable("Col2").AddRow("good"));

        output.Name.Should().Be("output1");
        output[0].GetDouble("Score").Should().Be(0.9);
        Query(_server.WireMockLog.Single())["details"].Should().Be("true");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_Rows_SendsExactRequest()
    {
        _server.Always(FakeAnswer.Json("""{"Results":{"output1":[{"Col2":"This is a good day","Score":"0.9"}]}}"""));
        var client = _server.CreateClient();
        var request = new SwaggerScoringRequest([new Dictionary<string, string?> { ["Col2"] = "This is a good day", ["Other"] = null }]);
        request.GlobalParameters["p"] = "v";

        var result = await client.ExecuteSwaggerAsync(request);

        var entry = _server.WireMockLog.Should().ContainSingle().Subject;
        entry.RequestMessage.Method.Should().Be("POST");
        entry.RequestMessage.Path.Should().Be(FakeService.ServicePath + "/execute");
        Query(entry).Should().BeEquivalentTo(new Dictionary<string, string> { ["api-version"] = "2.0", ["format"] = "swagger" });
        Header(entry, "Authorization").Should().Be("Bearer " + TestIds.ApiKey);
        Header(entry, "Content-Type").Should().Be("application/json");
        entry.RequestMessage.Body.Should().Be("""{"Inputs":{"input1":[{"Col2":"This is a good day","Other":null}]},"GlobalParameters":{"p":"v"}}""");
        result.DefaultOutput.Single()["Score"].Should().Be("0.9");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_RowsOnly_ReturnsFirstOutputRows()
    {
        _server.Always(FakeAnswer.Json("""{"Results":{"output1":[{"Scored Labels":"1"},{"Scored Labels":"0"}]}}"""));
        var client = _server.CreateClient();

        var rows = await client.ExecuteSwaggerAsync([new Dictionary<string, string?> { ["Col2"] = "a" }, new Dictionary<string, string?> { ["Col2"] = "b" }]);

        rows.Select(r => r["Scored Labels"]).Should().Equal("1", "0");
        _server.WireMockLog.Single().RequestMessage.Body.Should().Be("""{"Inputs":{"input1":[{"Col2":"a"},{"Col2":"b"}]},"GlobalParameters":{}}""");
    }

    [Fact]
    public async Task ExecuteAsync_SubscriptionPathAndGatewaySuffix_BuildsPath()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var client = _server.CreateClient(o =>
        {
            o.Endpoint = new Uri(_server.Url + "/azureml-demo/");
            o.PathStyle = AzureMlPathStyle.Subscription;
            o.SubscriptionId = "sub-1";
            o.WorkspaceId = null;
        });

        await client.ExecuteAsync(new ScoringTable("a").AddRow("1"));

        _server.WireMockLog.Single().RequestMessage.Path.Should().Be($"/azureml-demo/subscriptions/sub-1/services/{TestIds.ServiceId}/execute");
    }

    [Fact]
    public async Task ExecuteAsync_NoApiKey_SendsNoAuthorization()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var client = _server.CreateClient(o => o.ApiKey = null);

        await client.ExecuteAsync(new ScoringTable("a").AddRow("1"));

        _server.WireMockLog.Single().RequestMessage.Headers!.Keys.Should().NotContain(k => k.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ExecuteAsync_LargeTable_StreamsWholeBody()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var client = _server.CreateClient();
        var table = new ScoringTable("id", "text");
        for (var i = 0; i < 20_000; i++)
        {
            table.AddRow(i, "row text that makes the body larger than the flush threshold");
        }

        await client.ExecuteAsync(new ScoringRequest(table));

        var body = System.Text.Json.JsonDocument.Parse(_server.WireMockLog.Single().RequestMessage.Body!);
        var values = body.RootElement.GetProperty("Inputs").GetProperty("input1").GetProperty("Values");
        values.GetArrayLength().Should().Be(20_000);
        values[19_999][0].GetString().Should().Be("19999");
    }

    [Fact]
    public async Task ExecuteAsync_StampsExecuteOperationForHandlers()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var seen = new List<AzureMlOperation>();
        var client = _server.CreateClient(outer: new RecordingHandler(seen));

        await client.ExecuteAsync(new ScoringTable("a").AddRow("1"));

        seen.Should().Equal(AzureMlOperation.Execute);
    }

    [Theory]
    [InlineData("""{"Results":{}}""", "*answered 200*not a valid Execute response: \"Results\" has no outputs.*")]
    [InlineData("{\"Results\":{\"output1\":{\"type\":\"table\",\"value\":{\"Values\":[[\"a\"],[\"b\",\"c\"]]}}}}", "*Results.output1.value.Values[1] has 2 cells, but Values[0] has 1*")]
    [InlineData("this is not json", "*the body is not valid JSON*")]
    [InlineData("{\"Results\":{\"output1\":{\"type\":\"table\",/* scored */\"value\":{\"Values\":[[\"a\"]]}}}}", "*not a valid Execute response: the body is not valid JSON: '/' is*")]
    [InlineData("", "*the body was empty*")]
    [InlineData("{\"error\":{\"code\":\"x\"}}", "*it has no \"Results\" object*")]
    public async Task ExecuteAsync_OkWithMalformedBody_ThrowsAzureMlException(string body, string message)
    {
        _server.Always(FakeAnswer.With(200, body, ("x-ms-request-id", "req-200")));
        var client = _server.CreateClient();

        var act = () => client.ExecuteAsync(new ScoringTable("a").AddRow("1"));

        var ex = (await act.Should().ThrowAsync<AzureMlException>().WithMessage(message)).Which;
        ex.Status.Should().Be(200);
        ex.ErrorCode.Should().Be("InvalidResponseBody");
        ex.RequestId.Should().Be("req-200");
        ex.Operation.Should().Be(AzureMlOperation.Execute);
        ex.InnerException.Should().NotBeOfType<NullReferenceException>();
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_TableShapedAnswer_ThrowsAzureMlException()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var client = _server.CreateClient();

        var act = () => client.ExecuteSwaggerAsync([new Dictionary<string, string?> { ["a"] = "1" }]);

        await act.Should().ThrowAsync<AzureMlException>().WithMessage("*Results.output1 is an object (the table form)*");
    }

    [Fact]
    public async Task ExecuteAsync_HandlerSendsTwice_WritesTheSameBodyEachTime()
    {
        _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));
        var client = _server.CreateClient(outer: new SendTwiceHandler());

        await client.ExecuteAsync(new ScoringTable("a", "b").AddRow(1, "x").AddRow(2, null));

        var bodies = _server.WireMockLog.Select(r => r.RequestMessage.Body).ToList();
        bodies.Should().HaveCount(2);
        bodies[1].Should().Be(bodies[0]).And.Be("""{"Inputs":{"input1":{"ColumnNames":["a","b"],"Values":[["1","x"],["2",null]]}},"GlobalParameters":{}}""");
    }

    [Fact]
    public async Task ExecuteAsync_Cancelled_ThrowsOperationCanceled()
    {
        var client = _server.CreateClient(outer: new WaitForeverHandler());
        using var cts = new CancellationTokenSource();

        var call = client.ExecuteAsync(new ScoringTable("a").AddRow("1"), cts.Token);
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => call).Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>An app's handler that never passes the request on.</summary>
    private sealed class WaitForeverHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class SendTwiceHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            (await base.SendAsync(request, cancellationToken)).Dispose();
            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class RecordingHandler(List<AzureMlOperation> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (AzureMlRequestOptions.TryGetOperation(request, out var op))
            {
                seen.Add(op);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
