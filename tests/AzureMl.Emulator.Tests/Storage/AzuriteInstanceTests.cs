using Azure.Storage.Blobs;

namespace AzureMl.Emulator.Tests.Storage;

[Collection(EmulatorCollection.Name)]
public sealed class AzuriteInstanceTests(AzuriteFixture fixture)
{
    [Fact]
    public void ConnectionString_SharedInstance_PointsAtLoopbackDevAccount()
    {
        fixture.Azurite.BlobEndpoint.ToString().Should().MatchRegex(@"^http://127\.0\.0\.1:\d+/devstoreaccount1$");
        fixture.ConnectionString.Should().Contain($"BlobEndpoint={fixture.Azurite.BlobEndpoint}").And.Contain("AccountName=devstoreaccount1");
        fixture.Azurite.ToString().Should().NotContain(AzuriteInstance.AccountKey);
    }

    [Fact]
    public async Task ConnectionString_SharedInstance_StoresBlobs()
    {
        var container = new BlobServiceClient(fixture.ConnectionString, BlobLocator.CreateDefaultOptions()).GetBlobContainerClient("azurite-check");
        await container.CreateIfNotExistsAsync();

        await container.GetBlobClient("a.txt").UploadAsync(BinaryData.FromString("hi"), overwrite: true);

        (await container.GetBlobClient("a.txt").DownloadContentAsync()).Value.Content.ToString().Should().Be("hi");
    }

    [Fact]
    public void FindDirectory_Default_FindsToolsAzurite() =>
        AzuriteInstance.FindDirectory(new AzuriteOptions()).Replace('\\', '/').Should().EndWith("tools/azurite");

    [Fact]
    public void FindDirectory_OverrideWithoutPackageJson_ExplainsTheProblem()
    {
        var act = () => AzuriteInstance.FindDirectory(new AzuriteOptions { Directory = Path.GetTempPath() });

        act.Should().Throw<InvalidOperationException>().WithMessage("*package.json*");
    }
}

public class AzuriteInstanceErrorTests
{
    [Fact]
    public async Task StartAsync_NodeMissing_SaysHowToFix()
    {
        var act = () => AzuriteInstance.StartAsync(new AzuriteOptions { NodeExecutable = "/nonexistent/node" });

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*Node.js*install*");
    }

    [Fact]
    public async Task StartAsync_NpmMissingAndNotInstalled_SaysHowToFix()
    {
        var folder = Directory.CreateTempSubdirectory("azurite-empty-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "package.json"), "{}");

            var act = () => AzuriteInstance.StartAsync(new AzuriteOptions { Directory = folder.FullName, NpmExecutable = "/nonexistent/npm" });

            await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*npm was not found*");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
