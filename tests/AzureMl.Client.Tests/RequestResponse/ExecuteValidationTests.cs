namespace AzureMl.Client.Tests.RequestResponse;

public sealed class ExecuteValidationTests : IDisposable
{
    private readonly FakeService _server = new();

    public ExecuteValidationTests() => _server.Always(FakeAnswer.Json(FakeAnswer.ExecuteAnswer));

    public void Dispose() => _server.Dispose();

    private async Task<ArgumentException> RefusedAsync(Func<IAzureMlClient, Task> call)
    {
        var client = _server.CreateClient();
        var ex = (await FluentActions.Awaiting(() => call(client)).Should().ThrowAsync<ArgumentException>()).Which;
        _server.WireMockLog.Should().BeEmpty("bad input must be refused before any HTTP call");
        return ex;
    }

    private static ScoringTable OneRow() => new ScoringTable("a").AddRow("1");

    [Fact]
    public async Task ExecuteAsync_NullRequest_ThrowsArgumentNull()
    {
        var ex = await RefusedAsync(c => c.ExecuteAsync((ScoringRequest)null!));
        ex.Should().BeOfType<ArgumentNullException>().Which.ParamName.Should().Be("request");
    }

    [Fact]
    public async Task ExecuteAsync_NoInputs_Throws()
    {
        var ex = await RefusedAsync(c => c.ExecuteAsync(new ScoringRequest()));
        ex.Message.Should().StartWith("The request has no inputs");
        ex.ParamName.Should().Be("request");
    }

    [Fact]
    public async Task ExecuteAsync_TableWithoutRows_Throws()
    {
        var ex = await RefusedAsync(c => c.ExecuteAsync(new ScoringRequest(new ScoringTable("a"))));
        ex.Message.Should().StartWith("Input 'input1' has no rows");
    }

    [Fact]
    public async Task ExecuteAsync_SingleTableWithoutRows_Throws()
    {
        var ex = await RefusedAsync(c => c.ExecuteAsync(new ScoringTable("a")));
        ex.ParamName.Should().Be("input");
    }

    [Fact]
    public async Task ExecuteAsync_NullTable_Throws()
    {
        var request = new ScoringRequest();
        request.Inputs["input1"] = null!;
        var ex = await RefusedAsync(c => c.ExecuteAsync(request));
        ex.Message.Should().StartWith("Input 'input1' is null");
    }

    [Theory]
    [InlineData("")]
    [InlineData("input\r\n1")]
    [InlineData("in\nput")]
    [InlineData("in\u0000put")]
    public async Task ExecuteAsync_BadInputName_Throws(string name)
    {
        var request = new ScoringRequest();
        request.Inputs[name] = OneRow();
        var ex = await RefusedAsync(c => c.ExecuteAsync(request));
        ex.Message.Should().StartWith("Input name ");
    }

    [Theory]
    [InlineData("Thres\r\nhold", "Global parameter name contains a line break (CR or LF); remove it.*")]
    [InlineData("", "Global parameter name is null or empty.*")]
    public async Task ExecuteAsync_BadGlobalParameterName_Throws(string name, string message)
    {
        var request = new ScoringRequest(OneRow());
        request.GlobalParameters[name] = "1";
        var ex = await RefusedAsync(c => c.ExecuteAsync(request));
        ex.Message.Should().Match(message);
    }

    [Fact]
    public async Task ExecuteAsync_NullGlobalParameterValue_Throws()
    {
        var request = new ScoringRequest(OneRow());
        request.GlobalParameters["p"] = null!;
        var ex = await RefusedAsync(c => c.ExecuteAsync(request));
        ex.Message.Should().StartWith("Global parameter 'p' is null");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_KeyWithLineBreak_Throws()
    {
        var ex = await RefusedAsync(c => c.ExecuteSwaggerAsync([new Dictionary<string, string?> { ["Col\r\n2"] = "x" }]));
        ex.Message.Should().Be("Input 'input1', row 0: a column name contains a line break (CR or LF); remove it. (Parameter 'rows')");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_NoRows_Throws()
    {
        var ex = await RefusedAsync(c => c.ExecuteSwaggerAsync([]));
        ex.Message.Should().StartWith("Input 'input1' has no rows");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_NullRow_Throws()
    {
        var request = new SwaggerScoringRequest();
        request.Inputs["input1"] = [null!];
        var ex = await RefusedAsync(c => c.ExecuteSwaggerAsync(request));
        ex.Message.Should().StartWith("Input 'input1', row 0 is null");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_NoInputs_Throws()
    {
        var ex = await RefusedAsync(c => c.ExecuteSwaggerAsync(new SwaggerScoringRequest()));
        ex.ParamName.Should().Be("request");
    }

    [Fact]
    public async Task ExecuteAsync_RowWithWrongLength_IsRefusedBeforeAnyCall()
    {
        var ex = await RefusedAsync(c => c.ExecuteAsync(new ScoringTable("a", "b").AddRow("1", "2").AddRow("3")));
        ex.Message.Should().StartWith("Row 1 has 1 cells but the table has 2 columns");
    }
}
