using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using static AzureMl.Emulator.Tests.Batch.BatchTestKit;

namespace AzureMl.Emulator.Tests.Storage;

[Collection(EmulatorCollection.Name)]
public sealed class StorageRefusalTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Submit_StorageRefusesServiceVersion_AnswersStatusCodeVersionAndFix()
    {
        var container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(container, "in.csv", "Col2\nx\n");
        await using var emulator = await fixture.StartEmulatorAsync(o => o.BlobClientOptions = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_10_06));

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, emulator.Url("jobs"), $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/in.csv")}}} }""");
        var text = await response.Content.ReadAsStringAsync();

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "BadArgument", "InvalidBlobConnectionString");
        text.Should().Contain("answered 400 InvalidHeaderValue: The API version 2026-10-06 is not supported")
            .And.Contain("The emulator sent storage service version (x-ms-version) 2026-10-06")
            .And.Contain("Set AzureMlEmulatorOptions.BlobClientOptions with ServiceVersion = V2026_06_06 or older")
            .And.Contain("or start Azurite with --skipApiVersionCheck, or upgrade Azurite")
            .And.NotContain("could not be reached")
            .And.NotContain(AzuriteInstance.AccountKey);
    }

    [Fact]
    public async Task Submit_StorageNotListening_CouldNotBeReached()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var closed = $"DefaultEndpointsProtocol=http;AccountName={AzuriteInstance.AccountName};AccountKey={AzuriteInstance.AccountKey};BlobEndpoint=http://127.0.0.1:{port}/{AzuriteInstance.AccountName};";
        await using var emulator = await fixture.StartEmulatorAsync();

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, emulator.Url("jobs"), $$"""{"Inputs":{"input1":{{Reference(closed, "c/in.csv")}}} }""");
        var text = await response.Content.ReadAsStringAsync();

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "BadArgument", "InvalidBlobConnectionString");
        text.Should().Contain("could not be reached").And.NotContain("answered");
    }
}
