using System.Text;
using Azure;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Client.Tests.Batch;
using AzureMl.Emulator;

namespace AzureMl.Client.Tests.Storage;

/// <summary>Storage that answers but refuses: the stock Azurite of the fixture, sent a service version it does not accept.</summary>
[Collection(BatchEmulatorCollection.Name)]
public sealed class StorageRefusalTests(BatchEmulatorFixture fixture)
{
    private static BatchJobInput Input() => BatchJobInput.FromStream(new MemoryStream(Encoding.UTF8.GetBytes("Col2\nhello\n")));

    private static string NewContainerName() => "refused-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task RunBatchJobAsync_ServiceVersionRefused_MessageHasStatusCodeVersionAndFix()
    {
        var options = new BatchRunOptions
        {
            StorageConnectionString = fixture.Azurite.ConnectionString,
            ContainerName = NewContainerName(),
            BlobClientOptions = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_10_06),
        };

        var act = () => fixture.CreateClient().RunBatchJobAsync(Input(), options);

        var error = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        error.Status.Should().Be(400);
        error.ErrorCode.Should().Be("InvalidHeaderValue");
        error.Message.Should().StartWith($"Blob storage refused to create container '{options.ContainerName}': 400 InvalidHeaderValue. Storage said: The API version 2026-10-06 is not supported")
            .And.Contain("The request sent storage service version (x-ms-version) 2026-10-06, which this storage does not accept.")
            .And.Contain("Pass BatchRunOptions.BlobClientOptions = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06) or older")
            .And.Contain("or start Azurite with --skipApiVersionCheck, or upgrade Azurite.")
            .And.NotContain(AzuriteInstance.AccountKey);
        error.InnerException.Should().BeOfType<RequestFailedException>();
        var cleanup = BatchRunCleanup.FromException(error)!;
        cleanup.JobId.Should().BeNull();
        cleanup.InputContainerName.Should().Be(options.ContainerName);
        cleanup.InputBlobFate.Should().Be(BatchInputBlobFate.NotCreated);
    }

    [Fact]
    public async Task RunBatchJobAsync_OwnContainerWithRefusedVersion_MessageNamesTheContainerClient()
    {
        var options = new BatchRunOptions
        {
            Container = new BlobContainerClient(fixture.Azurite.ConnectionString, NewContainerName(), new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_10_06)),
        };

        var act = () => fixture.CreateClient().RunBatchJobAsync(Input(), options);

        (await act.Should().ThrowAsync<RequestFailedException>()).Which.Message.Should()
            .Contain("400 InvalidHeaderValue")
            .And.Contain("The container client you passed in BatchRunOptions.Container sent a storage service version (x-ms-version) this storage does not accept")
            .And.Contain("--skipApiVersionCheck");
    }

    [Fact]
    public async Task RunBatchJobAsync_DefaultOptionsAgainstStockAzurite_Finishes()
    {
        var options = new BatchRunOptions { StorageConnectionString = fixture.Azurite.ConnectionString, ContainerName = NewContainerName() };
        options.BlobClientOptions.Should().BeNull();

        var result = await fixture.CreateClient().RunBatchJobAsync(Input(), options);

        result.Status.State.Should().Be(BatchJobState.Finished);
        using var output = new MemoryStream();
        await result.DownloadOutputAsync("output1", output);
        Encoding.UTF8.GetString(output.ToArray()).Should().StartWith("Col2,");
    }
}
