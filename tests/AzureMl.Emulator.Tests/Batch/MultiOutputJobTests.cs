using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using AzureMl.Emulator.Tests.Models;
using static AzureMl.Emulator.Tests.Batch.BatchTestKit;

namespace AzureMl.Emulator.Tests.Batch;

[Collection(EmulatorCollection.Name)]
public sealed class MultiOutputJobTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private AzureMlEmulator _emulator = null!;
    private BlobContainerClient _container = null!;

    public async Task InitializeAsync()
    {
        _emulator = await fixture.StartEmulatorAsync(o => o.Model = TwoOutputModel.Create());
        _container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(_container, "input.csv", "text\r\nab\r\nxyz\r\n");
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private string InputRef => Reference(fixture.ConnectionString, $"{_container.Name}/input.csv");

    [Fact]
    public async Task Job_BothOutputsOverridden_WritesEachBlobAndListsBoth()
    {
        var body = $$"""
            {"Inputs":{"input1":{{InputRef}}},
             "Outputs":{"output1":{{Reference(fixture.ConnectionString, $"{_container.Name}/out/first.csv")}}, "output2":{{Reference(fixture.ConnectionString, $"{_container.Name}/out/second.csv")}} } }
            """;

        var status = await RunAsync(body);

        status["Results"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("output1", "output2");
        status["Results"]!["output1"]!["RelativeLocation"]!.GetValue<string>().Should().Be($"{_container.Name}/out/first.csv");
        status["Results"]!["output2"]!["RelativeLocation"]!.GetValue<string>().Should().Be($"{_container.Name}/out/second.csv");
        (await DownloadAsync(SasUri(status, "output1"))).Should().Be("text,Length\r\nab,2\r\nxyz,3\r\n");
        (await DownloadAsync(SasUri(status, "output2"))).Should().Be("Upper\r\nAB\r\nXYZ\r\n");
        (await _container.GetBlobClient("out/second.csv").DownloadContentAsync()).Value.Content.ToString().Should().Be("Upper\r\nAB\r\nXYZ\r\n");
    }

    [Fact]
    public async Task Job_OneOutputOverridden_OtherGoesToOwnStorage()
    {
        var body = $$"""{"Inputs":{"input1":{{InputRef}}},"Outputs":{"output2":{{Reference(fixture.ConnectionString, $"{_container.Name}/only-second.csv")}} } }""";

        var status = await RunAsync(body);

        var first = status["Results"]!["output1"]!["RelativeLocation"]!.GetValue<string>();
        first.Should().StartWith("azureml-emulator-results/").And.EndWith("/output1.csv");
        status["Results"]!["output2"]!["RelativeLocation"]!.GetValue<string>().Should().Be($"{_container.Name}/only-second.csv");
        (await DownloadAsync(SasUri(status, "output1"))).Should().Be("text,Length\r\nab,2\r\nxyz,3\r\n");
        (await DownloadAsync(SasUri(status, "output2"))).Should().Be("Upper\r\nAB\r\nXYZ\r\n");
    }

    [Fact]
    public async Task Job_NoOutputs_BothGoToOwnStorage()
    {
        var status = await RunAsync($$"""{"Inputs":{"input1":{{InputRef}} } }""");

        status["Results"]!["output1"]!["RelativeLocation"]!.GetValue<string>().Should().EndWith("/output1.csv");
        status["Results"]!["output2"]!["RelativeLocation"]!.GetValue<string>().Should().EndWith("/output2.csv");
        (await DownloadAsync(SasUri(status, "output2"))).Should().Be("Upper\r\nAB\r\nXYZ\r\n");
    }

    [Fact]
    public async Task Submit_UnknownOutputNextToKnownOnes_InvalidOutputOverrideName()
    {
        var body = $$"""{"Inputs":{"input1":{{InputRef}}},"Outputs":{"output2":{{InputRef}},"output3":{{InputRef}} } }""";

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), body);

        var detail = (await response.JsonAsync())["error"]!["details"]![0]!;
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        detail["code"]!.GetValue<string>().Should().Be("InvalidOutputOverrideName");
        detail["target"]!.GetValue<string>().Should().Be("output3");
        detail["message"]!.GetValue<string>().Should().Contain("'output1', 'output2'");
    }

    private async Task<JsonNode> RunAsync(string body)
    {
        var jobId = await SubmitAsync(_emulator, body);
        await StartAsync(_emulator, jobId);
        var status = await WaitForEndAsync(_emulator, jobId);
        status["StatusCode"]!.GetValue<string>().Should().Be("Finished", status.ToJsonString());
        return status;
    }

    private static Uri SasUri(JsonNode status, string output)
    {
        var result = status["Results"]![output]!;
        return new Uri(result["BaseLocation"]!.GetValue<string>() + result["RelativeLocation"]!.GetValue<string>() + result["SasBlobToken"]!.GetValue<string>());
    }
}
