using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using static AzureMl.Emulator.Tests.Batch.BatchTestKit;

namespace AzureMl.Emulator.Tests.Batch;

[Collection(EmulatorCollection.Name)]
public sealed class BatchJobTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private const string Input = "Col2\r\nI loved this book\r\n\"I hated this book\"\r\nThis book was great\r\nI love books\r\n";
    private AzureMlEmulator _emulator = null!;
    private BlobContainerClient _container = null!;

    public async Task InitializeAsync()
    {
        _emulator = await fixture.StartEmulatorAsync();
        _container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(_container, "input.csv", Input);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private string InputRef => Reference(fixture.ConnectionString, $"{_container.Name}/input.csv");

    [Fact]
    public async Task Job_EndToEnd_WritesOutputReadableBySasBothWays()
    {
        var body = $$"""{"Inputs":{"input1":{{InputRef}}},"Outputs":{"output1":{{Reference(fixture.ConnectionString, $"/{_container.Name}/results/output.csv")}}},"GlobalParameters":{} }""";

        var jobId = await SubmitAsync(_emulator, body);
        jobId.Should().MatchRegex("^[0-9a-f]{32}$");
        (await StatusAsync(_emulator, jobId))["StatusCode"]!.GetValue<string>().Should().Be("NotStarted");
        await StartAsync(_emulator, jobId);
        var status = await WaitForEndAsync(_emulator, jobId);

        status["StatusCode"]!.GetValue<string>().Should().Be("Finished", status.ToJsonString());
        status["Details"].Should().BeNull();
        var result = status["Results"]!["output1"]!;
        result["ConnectionString"].Should().BeNull();
        var baseLocation = result["BaseLocation"]!.GetValue<string>();
        var relative = result["RelativeLocation"]!.GetValue<string>();
        var token = result["SasBlobToken"]!.GetValue<string>();
        baseLocation.Should().Be(fixture.Azurite.BlobEndpoint + "/");
        relative.Should().Be($"{_container.Name}/results/output.csv");
        token.Should().StartWith("?");
        var query = HttpUtility.ParseQueryString(token);
        query["sp"].Should().Be("r");
        DateTimeOffset.Parse(query["se"]!, System.Globalization.CultureInfo.InvariantCulture).Should().BeCloseTo(DateTimeOffset.UtcNow.AddHours(24), TimeSpan.FromMinutes(5));

        var concatenated = await DownloadAsync(new Uri(baseLocation + relative + token));
        var combined = await DownloadAsync(new Uri(new Uri(new Uri(baseLocation), relative) + token));

        combined.Should().Be(concatenated);
        var lines = concatenated.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("Col2,Col2_HashingFeature.0,Col2_HashingFeature.1,Col2_HashingFeature.2,Col2_HashingFeature.3,Col2_HashingFeature.4,Col2_HashingFeature.5,Col2_HashingFeature.6,Col2_HashingFeature.7");
        lines.Skip(1).Should().Equal(
            "I loved this book,0,1,1,2,1,0,2,0",
            "I hated this book,0,0,1,1,1,2,2,0",
            "This book was great,0,3,0,0,1,0,1,2",
            "I love books,0,1,2,0,0,1,0,1");
    }

    [Fact]
    public async Task Job_NoOutputs_WritesToEmulatorStorage()
    {
        var jobId = await SubmitAsync(_emulator, $$"""{"Input":{{InputRef}},"Outputs":null,"GlobalParameters":null}""");
        await StartAsync(_emulator, jobId);

        var status = await WaitForEndAsync(_emulator, jobId);

        status["StatusCode"]!.GetValue<string>().Should().Be("Finished", status.ToJsonString());
        var result = status["Results"]!["output1"]!;
        var relative = result["RelativeLocation"]!.GetValue<string>();
        relative.Should().Be($"azureml-emulator-results/{jobId}/output1.csv");
        var text = await DownloadAsync(new Uri(result["BaseLocation"]!.GetValue<string>() + relative + result["SasBlobToken"]!.GetValue<string>()));
        text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(5);
    }

    [Fact]
    public async Task Job_SasInputAndOutput_ReadsAndWritesThroughSas()
    {
        var sas = _container.GenerateSasUri(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.Create, DateTimeOffset.UtcNow.AddHours(1)).Query;
        var baseLocation = fixture.Azurite.BlobEndpoint + "/";
        var body = $$"""
            {"Inputs":{"input1":{"BaseLocation":"{{baseLocation}}","RelativeLocation":"{{_container.Name}}/input.csv","SasBlobToken":"{{sas}}"} },
             "Outputs":{"output1":{"BaseLocation":"{{baseLocation}}","RelativeLocation":"{{_container.Name}}/sas-out.csv","SasBlobToken":"{{sas}}"} } }
            """;

        var jobId = await SubmitAsync(_emulator, body);
        await StartAsync(_emulator, jobId);
        var status = await WaitForEndAsync(_emulator, jobId);

        status["StatusCode"]!.GetValue<string>().Should().Be("Finished", status.ToJsonString());
        var result = status["Results"]!["output1"]!;
        var text = await DownloadAsync(new Uri(result["BaseLocation"]!.GetValue<string>() + result["RelativeLocation"]!.GetValue<string>() + result["SasBlobToken"]!.GetValue<string>()));
        text.Should().Contain("I love books,0,1,2,0,0,1,0,1");
    }

    [Fact]
    public async Task Job_QuotedFieldsAndLineBreaks_RoundTrip()
    {
        await UploadAsync(_container, "quoted.csv", "Id,Col2\n1,\"a, \"\"quoted\"\" text\"\n2,\"two\nlines\"\n");
        var model = EmulatedModel.Create([new EmulatedColumn("Col2")], [new EmulatedColumn("Col2"), new EmulatedColumn("Length", "Int32")], row =>
            [row["Col2"], row["Col2"]!.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = model);

        var jobId = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{_container.Name}/quoted.csv")}}},"Outputs":{"output1":{{Reference(fixture.ConnectionString, $"{_container.Name}/quoted-out.csv")}}} }""");
        await StartAsync(emulator, jobId);
        (await WaitForEndAsync(emulator, jobId))["StatusCode"]!.GetValue<string>().Should().Be("Finished");

        var text = (await _container.GetBlobClient("quoted-out.csv").DownloadContentAsync()).Value.Content.ToString();
        text.Should().Be("Col2,Length\r\n\"a, \"\"quoted\"\" text\",16\r\n\"two\nlines\",9\r\n");
    }

    [Fact]
    public async Task Job_MalformedRow_FailsWithRowInDetails()
    {
        var status = await RunInputOnlyJobAsync("bad.csv", "Col2,Other\ngood,1\n\"unterminated,2\n");

        status["StatusCode"]!.GetValue<string>().Should().Be("Failed");
        status["Results"].Should().BeNull();
        status["Details"]!.GetValue<string>().Should().Contain("Record 3 (line 3)").And.Contain("quoted field is not closed");
    }

    [Fact]
    public async Task Job_RowWithTooManyFields_FailsWithRowInDetails()
    {
        var status = await RunInputOnlyJobAsync("wide.csv", "Col2\nfine\ntoo,many\n");

        status["StatusCode"]!.GetValue<string>().Should().Be("Failed");
        status["Details"]!.GetValue<string>().Should().Contain("Record 3 (line 3)").And.Contain("2 fields");
    }

    [Fact]
    public async Task Job_HeaderWithoutModelColumn_Fails()
    {
        var status = await RunInputOnlyJobAsync("nocol.csv", "Other\nx\n");

        status["StatusCode"]!.GetValue<string>().Should().Be("Failed");
        status["Details"]!.GetValue<string>().Should().Contain("Col2");
    }

    [Fact]
    public async Task Job_OutputSasWithoutWrite_FailsWithStorageStatus()
    {
        var readOnly = _container.GenerateSasUri(BlobContainerSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1)).Query;
        var baseLocation = fixture.Azurite.BlobEndpoint + "/";
        var body = $$"""
            {"Inputs":{"input1":{"BaseLocation":"{{baseLocation}}","RelativeLocation":"{{_container.Name}}/input.csv","SasBlobToken":"{{readOnly}}"} },
             "Outputs":{"output1":{"BaseLocation":"{{baseLocation}}","RelativeLocation":"{{_container.Name}}/denied.csv","SasBlobToken":"{{readOnly}}"} } }
            """;

        var jobId = await SubmitAsync(_emulator, body);
        await StartAsync(_emulator, jobId);
        var status = await WaitForEndAsync(_emulator, jobId);

        status["StatusCode"]!.GetValue<string>().Should().Be("Failed");
        status["Details"]!.GetValue<string>().Should().Contain("403").And.NotContain("sig=");
    }

    [Fact]
    public async Task Job_TwentyThousandRows_AllScoredInOrder()
    {
        var input = new StringBuilder("Id,Col2\n");
        for (var i = 0; i < 20_000; i++)
        {
            input.Append(i).Append(",\"I love books, row ").Append(i).Append("\"\n");
        }

        await UploadAsync(_container, "big.csv", input.ToString());
        var jobId = await SubmitAsync(_emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{_container.Name}/big.csv")}}},"Outputs":{"output1":{{Reference(fixture.ConnectionString, $"{_container.Name}/big-out.csv")}}} }""");
        await StartAsync(_emulator, jobId);

        var status = await WaitForEndAsync(_emulator, jobId);

        status["StatusCode"]!.GetValue<string>().Should().Be("Finished", status.ToJsonString());
        var lines = (await _container.GetBlobClient("big-out.csv").DownloadContentAsync()).Value.Content.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(20_001);
        lines[20_000].Should().StartWith("\"I love books, row 19999\",");
    }

    [Fact]
    public async Task Start_StartedJob_CannotStartJob()
    {
        var jobId = await SubmitAsync(_emulator, $$"""{"Inputs":{"input1":{{InputRef}}} }""");
        await StartAsync(_emulator, jobId);

        using var again = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url($"jobs/{jobId}/start"));

        await again.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "InvalidOperation", "CannotStartJob");
    }

    [Fact]
    public async Task Delete_FinishedJob_RemovesItAndRepeatIsNotFound()
    {
        var jobId = await SubmitAsync(_emulator, $$"""{"Inputs":{"input1":{{InputRef}}} }""");
        await StartAsync(_emulator, jobId);
        await WaitForEndAsync(_emulator, jobId);

        using var first = await EmulatorHttp.SendAsync(HttpMethod.Delete, _emulator.Url($"jobs/{jobId}"));
        using var second = await EmulatorHttp.SendAsync(HttpMethod.Delete, _emulator.Url($"jobs/{jobId}"));
        using var status = await EmulatorHttp.SendAsync(HttpMethod.Get, _emulator.Url($"jobs/{jobId}"));

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        await second.ShouldBeServiceErrorAsync(HttpStatusCode.NotFound, "NotFound", "JobNotFound");
        status.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_NotStartedJob_Cancelled()
    {
        var jobId = await SubmitAsync(_emulator, $$"""{"Inputs":{"input1":{{InputRef}}} }""");

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Delete, _emulator.Url($"jobs/{jobId}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await StatusAsync(_emulator, jobId))["StatusCode"]!.GetValue<string>().Should().Be("Cancelled");
    }

    [Theory]
    [InlineData(EmulatorRoute.Start)]
    [InlineData(EmulatorRoute.Status)]
    [InlineData(EmulatorRoute.Delete)]
    public async Task Route_UnknownJob_JobNotFound(EmulatorRoute route)
    {
        var (method, path) = route switch
        {
            EmulatorRoute.Start => (HttpMethod.Post, "jobs/0000/start"),
            EmulatorRoute.Status => (HttpMethod.Get, "jobs/0000"),
            _ => (HttpMethod.Delete, "jobs/0000"),
        };

        using var response = await EmulatorHttp.SendAsync(method, _emulator.Url(path));

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.NotFound, "NotFound", "JobNotFound");
        _emulator.ReceivedCount(route).Should().Be(1);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    public async Task Submit_InvalidJson_RequestBodyInvalid(string body)
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), body);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "BadArgument", "RequestBodyInvalid");
    }

    [Fact]
    public async Task Submit_InputAndInputs_DuplicateInputInBatchCall() =>
        await SubmitShouldFailAsync($$"""{"Input":{{InputRef}},"Inputs":{"input1":{{InputRef}}} }""", "BadArgument", "DuplicateInputInBatchCall");

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"Inputs\":{}}")]
    [InlineData("{\"Inputs\":null,\"Input\":null}")]
    public async Task Submit_NoInputs_BatchJobInputsNotSpecified(string body) =>
        await SubmitShouldFailAsync(body, "BadArgument", "BatchJobInputsNotSpecified");

    [Fact]
    public async Task Submit_UnknownInputName_InvalidInputNames() =>
        await SubmitShouldFailAsync($$"""{"Inputs":{"input9":{{InputRef}}} }""", "BadArgument", "InvalidInputNames");

    [Theory]
    [InlineData("output2")]
    [InlineData("Output1")]
    public async Task Submit_UnknownOutputName_InvalidOutputOverrideName(string name) =>
        await SubmitShouldFailAsync($$"""{"Inputs":{"input1":{{InputRef}}},"Outputs":{"{{name}}":{{InputRef}}} }""", "BadArgument", "InvalidOutputOverrideName");

    [Fact]
    public async Task Submit_MissingBlob_BlobNotFound() =>
        await SubmitShouldFailAsync($$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{_container.Name}/missing.csv")}}} }""", "BadArgument", "BlobNotFound");

    [Theory]
    [InlineData("not a connection string")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=d3Jvbmcta2V5;BlobEndpoint={0};")]
    public async Task Submit_BadConnectionString_InvalidBlobConnectionString(string connectionString)
    {
        var value = string.Format(System.Globalization.CultureInfo.InvariantCulture, connectionString, fixture.Azurite.BlobEndpoint);

        await SubmitShouldFailAsync($$"""{"Inputs":{"input1":{{Reference(value, $"{_container.Name}/input.csv")}}} }""", "BadArgument", "InvalidBlobConnectionString");
    }

    [Fact]
    public async Task Submit_UnknownGlobalParameter_UnexpectedParameter() =>
        await SubmitShouldFailAsync($$"""{"Inputs":{"input1":{{InputRef}}},"GlobalParameters":{"x":1} }""", "BadArgument", "UnexpectedParameter");

    [Fact]
    public async Task Submit_WrongKey_Unauthorized()
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), $$"""{"Inputs":{"input1":{{InputRef}}} }""", apiKey: "nope");

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.Unauthorized, "Unauthorized", "ScoreRequestUnauthorized");
    }

    [Fact]
    public async Task Status_BadApiVersion_BadVersionCall()
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Get, _emulator.Url("jobs/abc", "api-version=3.0"));

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "BadArgument", "BadVersionCall");
    }

    private async Task SubmitShouldFailAsync(string body, string code, string detail)
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), body);
        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, code, detail);
        _emulator.ReceivedCount(EmulatorRoute.Submit).Should().Be(1);
    }

    /// <summary>Uploads <paramref name="csv"/>, submits a job with that input only, starts it and waits for its end.</summary>
    private async Task<JsonNode> RunInputOnlyJobAsync(string blob, string csv)
    {
        await UploadAsync(_container, blob, csv);
        var jobId = await SubmitAsync(_emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{_container.Name}/{blob}")}}} }""");
        await StartAsync(_emulator, jobId);
        return await WaitForEndAsync(_emulator, jobId);
    }
}
