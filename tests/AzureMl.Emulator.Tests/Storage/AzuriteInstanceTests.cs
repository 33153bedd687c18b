using Microsoft.Extensions.Time.Testing;
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
        AzuriteInstaller.FindDirectory(new AzuriteOptions()).Replace('\\', '/').Should().EndWith("tools/azurite");

    [Fact]
    public void FindDirectory_OverrideWithoutPackageJson_ExplainsTheProblem()
    {
        var act = () => AzuriteInstaller.FindDirectory(new AzuriteOptions { Directory = Path.GetTempPath() });

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

    [Fact]
    public async Task StartAsync_NeverListens_FailsAfterStartTimeoutOnTheTimeProvider()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The stand-in for Node.js is a shell script.
        }

        var folder = Directory.CreateTempSubdirectory("azurite-silent-");
        try
        {
            // Looks installed, and its "node" runs but never says it listens.
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "package.json"), "{}");
            Directory.CreateDirectory(Path.Combine(folder.FullName, "node_modules/azurite/dist/src/blob"));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "node_modules/azurite/dist/src/blob/main.js"), "");
            var node = Path.Combine(folder.FullName, "silent-node");
            await File.WriteAllTextAsync(node, "#!/bin/sh\nexec sleep 600\n");
            File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var time = new FakeTimeProvider();

            var start = AzuriteInstance.StartAsync(new AzuriteOptions { Directory = folder.FullName, NodeExecutable = node, StartTimeout = TimeSpan.FromMinutes(10), TimeProvider = time });
            start.IsCompleted.Should().BeFalse("the start timeout has not passed on the time provider");
            time.Advance(TimeSpan.FromMinutes(10));

            var act = () => start.WaitAsync(TimeSpan.FromSeconds(30));
            await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("Azurite did not start within 00:10:00*");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
