using System.Net;
using System.Text.Json.Nodes;

namespace AzureMl.Emulator.Tests.RequestResponse;

[Collection(EmulatorCollection.Name)]
public sealed class ExecuteTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private AzureMlEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await fixture.StartEmulatorAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Execute_TableFormWithDetails_ReturnsNamesTypesAndCheckVectors()
    {
        using var response = await _emulator.ExecuteAsync("""
            {"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[["I loved this book"],["I hated this book"],["This book was great"],["I love books"]]}},"GlobalParameters":{}}
            """, "api-version=2.0&details=true");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var output = (await response.JsonAsync())["Results"]!["output1"]!;
        output["type"]!.GetValue<string>().Should().Be("table");
        var value = output["value"]!;
        value["ColumnNames"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(
            "Col2", "Col2_HashingFeature.0", "Col2_HashingFeature.1", "Col2_HashingFeature.2", "Col2_HashingFeature.3",
            "Col2_HashingFeature.4", "Col2_HashingFeature.5", "Col2_HashingFeature.6", "Col2_HashingFeature.7");
        value["ColumnTypes"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("String", "Int32", "Int32", "Int32", "Int32", "Int32", "Int32", "Int32", "Int32");
        Rows(value).Should().BeEquivalentTo(
            new[]
            {
                new[] { "I loved this book", "0", "1", "1", "2", "1", "0", "2", "0" },
                new[] { "I hated this book", "0", "0", "1", "1", "1", "2", "2", "0" },
                new[] { "This book was great", "0", "3", "0", "0", "1", "0", "1", "2" },
                new[] { "I love books", "0", "1", "2", "0", "0", "1", "0", "1" },
            },
            o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Execute_TableFormWithoutDetails_ReturnsValuesOnly()
    {
        using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var value = (await response.JsonAsync())["Results"]!["output1"]!["value"]!.AsObject();
        value.Select(p => p.Key).Should().Equal("Values");
        Rows(value)[1].Should().Equal("I hated this book", "0", "0", "1", "1", "1", "2", "2", "0");
    }

    [Theory]
    [InlineData("api-version=2.0&format=swagger")]
    [InlineData("api-version=2.0&format=swagger&details=true")]
    public async Task Execute_SwaggerForm_ReturnsRowObjects(string query)
    {
        using var response = await _emulator.ExecuteAsync("""
            {"Inputs":{"input1":[{"Col2":"I love books"}]},"GlobalParameters":{}}
            """, query);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var rows = (await response.JsonAsync())["Results"]!["output1"]!.AsArray();
        rows.Should().HaveCount(1);
        var row = rows[0]!.AsObject();
        row["Col2"]!.GetValue<string>().Should().Be("I love books");
        row["Col2_HashingFeature.2"]!.GetValue<string>().Should().Be("2");
        row.Count.Should().Be(9);
    }

    [Fact]
    public async Task Execute_ColumnsInAnotherOrder_MatchByName()
    {
        using var response = await _emulator.ExecuteAsync("""
            {"Inputs":{"input1":{"ColumnNames":["Extra","Col2"],"Values":[["x","I love books"]]}},"GlobalParameters":{}}
            """);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Rows((await response.JsonAsync())["Results"]!["output1"]!["value"]!)[0].Should().Equal("I love books", "0", "1", "2", "0", "0", "1", "0", "1");
    }

    [Fact]
    public async Task Execute_NumberBooleanAndNullCells_Accepted()
    {
        using var response = await _emulator.ExecuteAsync("""
            {"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[[2024],[true],[null]]}}}
            """);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var rows = (await response.JsonAsync())["Results"]!["output1"]!["value"]!["Values"]!.AsArray();
        rows[0]![0]!.GetValue<string>().Should().Be("2024");
        rows[1]![0]!.GetValue<string>().Should().Be("True");
        rows[2]![0].Should().BeNull();
        rows[2]![1]!.GetValue<string>().Should().Be("0");
    }

    [Fact]
    public async Task Execute_ManyRows_ResultsInInputOrder()
    {
        var values = string.Join(",", Enumerable.Range(0, 500).Select(i => $"[\"row {i}\"]"));
        using var response = await _emulator.ExecuteAsync($$$"""{"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[{{{values}}}]}},"GlobalParameters":{}}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var rows = Rows((await response.JsonAsync())["Results"]!["output1"]!["value"]!);
        rows.Select(r => r[0]).Should().Equal(Enumerable.Range(0, 500).Select(i => $"row {i}"));
    }

    [Fact]
    public async Task Execute_TextJsonContentType_Accepted()
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("execute"), EmulatorHttp.WalkthroughBody, configure: r =>
            r.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/json"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Execute_SubscriptionsPathStyle_Served()
    {
        var uri = new Uri(_emulator.ServiceRoot, $"subscriptions/00000000000000000000000000000001/services/{_emulator.ServiceId}/execute?api-version=2.0");

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, uri, EmulatorHttp.WalkthroughBody);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Execute_LowercaseBearerScheme_Accepted()
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("execute"), EmulatorHttp.WalkthroughBody, apiKey: null, configure: r =>
            r.Headers.TryAddWithoutValidation("Authorization", "bearer emulator-api-key"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Execute_Always_CountsReceived()
    {
        (await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody)).Dispose();
        (await _emulator.ExecuteAsync("{", apiKey: "wrong")).Dispose();

        _emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(2);
        _emulator.ReceivedCount(EmulatorRoute.Execute, _emulator.ServiceId).Should().Be(2);
        _emulator.ReceivedCount(EmulatorRoute.Submit).Should().Be(0);
        _emulator.ResetCounters();
        _emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Execute_MissingOrWrongKey_Unauthorized(string? key)
    {
        using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody, apiKey: key);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.Unauthorized, "Unauthorized", "ScoreRequestUnauthorized");
    }

    [Theory]
    [InlineData("")]
    [InlineData("api-version=1.0")]
    [InlineData("api-version=2.0&api-version=2.0")]
    public async Task Execute_BadApiVersion_BadVersionCall(string query)
    {
        using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody, query);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "BadArgument", "BadVersionCall");
    }

    [Fact]
    public async Task Execute_UnknownService_WebServiceNotFound()
    {
        var uri = new Uri(_emulator.ServiceRoot, $"workspaces/{_emulator.WorkspaceId}/services/00000000000000000000000000000000/execute?api-version=2.0");

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, uri, EmulatorHttp.WalkthroughBody);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.NotFound, "NotFound", "WebServiceNotFound");
    }

    [Fact]
    public async Task Execute_UnknownWorkspace_WorkspaceNotFound()
    {
        var uri = new Uri(_emulator.ServiceRoot, $"workspaces/00000000000000000000000000000000/services/{_emulator.ServiceId}/execute?api-version=2.0");

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, uri, EmulatorHttp.WalkthroughBody);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.NotFound, "NotFound", "WorkspaceNotFound");
    }

    [Theory]
    [InlineData("{", "BadArgument", "RequestBodyInvalid")]
    [InlineData("", "BadArgument", "RequestBodyInvalid")]
    [InlineData("[1,2]", "BadArgument", "RequestBodyInvalid")]
    [InlineData("{\"GlobalParameters\":{}}", "BadArgument", "MissingRequestInput")]
    [InlineData("{\"Inputs\":{}}", "BadArgument", "MissingRequestInput")]
    [InlineData("{\"Inputs\":{\"input2\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"a\"]]}}}", "BadArgument", "InvalidInputNames")]
    [InlineData("{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Other\"],\"Values\":[[\"a\"]]}}}", "BadUserArgument", "InputMismatchError")]
    [InlineData("{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"a\",\"b\"]]}}}", "BadUserArgument", "InputParseError")]
    [InlineData("{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"]}}}", "BadUserArgument", "InputParseError")]
    [InlineData("{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[{\"a\":1}]]}}}", "BadUserArgument", "InputParseError")]
    [InlineData("{\"Inputs\":{\"input1\":[{\"Col2\":\"a\"}]}}", "BadUserArgument", "InputParseError")]
    [InlineData("{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"a\"]]}},\"GlobalParameters\":{\"p\":\"1\"}}", "BadArgument", "UnexpectedParameter")]
    public async Task Execute_BadBody_ServiceError(string body, string code, string detail)
    {
        using var response = await _emulator.ExecuteAsync(body);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, code, detail);
    }

    [Fact]
    public async Task Execute_SwaggerRowMissingColumn_InputMismatchError()
    {
        using var response = await _emulator.ExecuteAsync("""{"Inputs":{"input1":[{"Other":"a"}]}}""", "api-version=2.0&format=swagger");

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "BadUserArgument", "InputMismatchError");
    }

    [Fact]
    public async Task Execute_UnknownRoute_NotFound()
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("score"), EmulatorHttp.WalkthroughBody);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public void ServiceUri_Default_IsWorkspacePathWithoutTrailingSlash()
    {
        _emulator.BaseAddress.ToString().Should().MatchRegex(@"^http://127\.0\.0\.1:\d+/$");
        _emulator.ServiceRoot.Should().Be(_emulator.BaseAddress);
        _emulator.ServiceUri.ToString().Should().Be($"{_emulator.BaseAddress}workspaces/{AzureMlEmulatorOptions.DefaultWorkspaceId}/services/{AzureMlEmulatorOptions.DefaultServiceId}");
        _emulator.ApiKey.Should().Be("emulator-api-key");
        _emulator.PrimarySubscriptionKey.Should().BeNull();
        _emulator.StorageConnectionString.Should().Be(fixture.ConnectionString);
    }

    internal static List<string?[]> Rows(JsonNode value) =>
        [.. value["Values"]!.AsArray().Select(r => r!.AsArray().Select(c => c?.GetValue<string>()).ToArray())];
}
