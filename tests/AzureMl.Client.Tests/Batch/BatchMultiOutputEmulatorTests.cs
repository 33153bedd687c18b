using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Emulator;

namespace AzureMl.Client.Tests.Batch;

/// <summary>A service with two outputs, run through the client against the emulator on the shared Azurite.</summary>
[Collection(BatchEmulatorCollection.Name)]
public sealed class BatchMultiOutputEmulatorTests(BatchEmulatorFixture fixture) : IAsyncLifetime
{
    private const string Input = "text\nab\nxyz\nhello world\n";
    private const string Output1 = "text,Length\r\nab,2\r\nxyz,3\r\nhello world,11\r\n";
    private const string Output2 = "Upper\r\nAB\r\nXYZ\r\nHELLO WORLD\r\n";
    private static readonly BatchPollingOptions FastPolling = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(250) };
    private AzureMlEmulator _emulator = null!;
    private FakeService? _service;

    public async Task InitializeAsync() =>
        _emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            StorageConnectionString = fixture.Azurite.ConnectionString,
            Model = EmulatedModel.Create(
                [new EmulatedColumn("text")],
                [
                    new EmulatedOutput("output1", [new EmulatedColumn("text"), new EmulatedColumn("Length", "Int32")]),
                    new EmulatedOutput("output2", [new EmulatedColumn("Upper")]),
                ],
                row => [[row["text"], row["text"]!.Length.ToString(CultureInfo.InvariantCulture)], [row["text"]!.ToUpperInvariant()]]),
        });

    public async Task DisposeAsync()
    {
        _service?.Dispose();
        await _emulator.DisposeAsync();
    }

    private AzureMlClient CreateClient() => (_service ??= FakeService.OfEmulator(_emulator)).CreateClient();

    private BatchRunOptions Options() => new()
    {
        StorageConnectionString = fixture.Azurite.ConnectionString,
        ContainerName = "multi-" + Guid.NewGuid().ToString("N")[..12],
        Polling = FastPolling,
    };

    private static MemoryStream InputStream() => new(Encoding.UTF8.GetBytes(Input));

    private static async Task<string> DownloadAsync(BatchJobResult result, string output)
    {
        using var buffer = new MemoryStream();
        await result.DownloadOutputAsync(output, buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public async Task RunBatchJobAsync_TwoOutputsNamed_WritesBothIntoContainerAndDownloadsThem()
    {
        var options = Options();
        options.OutputNames.Add("output2");
        options.OutputBlobNames["output2"] = "results/upper.csv";

        var result = await CreateClient().RunBatchJobAsync(BatchJobInput.FromStream(InputStream()), options);

        result.Status.State.Should().Be(BatchJobState.Finished);
        result.Outputs.Keys.Should().BeEquivalentTo("output1", "output2");
        result.Outputs["output1"].ContainerName.Should().Be(options.ContainerName);
        result.Outputs["output2"].RelativeLocation.Should().Be(options.ContainerName + "/results/upper.csv");
        (await DownloadAsync(result, "output1")).Should().Be(Output1);
        (await DownloadAsync(result, "output2")).Should().Be(Output2);
        (await new BlobContainerClient(fixture.Azurite.ConnectionString, options.ContainerName, new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion)).GetBlobClient("results/upper.csv").ExistsAsync()).Value.Should().BeTrue();
    }

    [Fact]
    public async Task RunBatchJobAsync_OnlyFirstOutputNamed_SecondStillReturnedFromServiceStorage()
    {
        var options = Options();

        var result = await CreateClient().RunBatchJobAsync(BatchJobInput.FromStream(InputStream()), options);

        result.Outputs.Keys.Should().BeEquivalentTo("output1", "output2");
        result.Outputs["output1"].ContainerName.Should().Be(options.ContainerName);
        result.Outputs["output2"].ContainerName.Should().NotBe(options.ContainerName);
        (await DownloadAsync(result, "output2")).Should().Be(Output2);
    }

    [Fact]
    public async Task SubmitAndStartJobAsync_TwoOutputOverrides_StepByStepDownloadsBoth()
    {
        var client = CreateClient();
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, "steps-" + Guid.NewGuid().ToString("N")[..12], new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion));
        await container.CreateAsync();
        await container.GetBlobClient("in.csv").UploadAsync(BinaryData.FromString(Input));
        var request = new BatchJobRequest { Input = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, container.Name, "in.csv") };
        request.Outputs["output1"] = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, container.Name, "out/one.csv");
        request.Outputs["output2"] = BatchBlobReference.FromConnectionString(fixture.Azurite.ConnectionString, container.Name, "out/two.csv");

        var operation = await client.SubmitAndStartJobAsync(request);
        var status = (await operation.WaitForCompletionAsync(FastPolling)).EnsureSucceeded();

        status.Results.Keys.Should().BeEquivalentTo("output1", "output2");
        status.Results["output2"].BlobName.Should().Be("out/two.csv");
        using var one = new MemoryStream();
        using var two = new MemoryStream();
        await status.Results["output1"].DownloadToAsync(one);
        await status.Results["output2"].DownloadToAsync(two);
        Encoding.UTF8.GetString(one.ToArray()).Should().Be(Output1);
        Encoding.UTF8.GetString(two.ToArray()).Should().Be(Output2);
        (await client.DeleteJobAsync(operation.Id)).Should().BeTrue();
    }
}
