using System.Web;
using Azure.Storage;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Client.Storage;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Storage;

public class BatchStagingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));

    [Fact]
    public void Create_ContainerWithoutKey_ThrowsArgumentExceptionSayingWhatIsNeeded()
    {
        var options = new BatchRunOptions { Container = new BlobContainerClient(new Uri("https://acct.blob.core.windows.net/data")) };

        var act = () => BatchStaging.Create(options, _time, "options");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "options"
            && e.Message.Contains("cannot generate SAS") && e.Message.Contains("StorageSharedKeyCredential") && e.Message.Contains("StorageConnectionString"));
    }

    [Fact]
    public void Create_InvalidConnectionString_ThrowsWithoutEchoingIt()
    {
        var options = new BatchRunOptions { StorageConnectionString = "AccountKey=SECRETVALUE;garbage" };

        var act = () => BatchStaging.Create(options, _time, "options");

        act.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("SECRETVALUE").And.Contain("StorageConnectionString");
    }

    [Fact]
    public void ForInput_ConnectionString_UsesConnectionStringReference()
    {
        var staging = BatchStaging.Create(new BatchRunOptions { StorageConnectionString = TestIds.StorageConnectionString, ContainerName = "data" }, _time, "options");

        var input = staging.ForInput("run/input1.csv");

        input.ConnectionString.Should().Be(TestIds.StorageConnectionString);
        input.RelativeLocation.Should().Be("data/run/input1.csv");
        input.SasBlobToken.Should().BeNull();
    }

    [Fact]
    public void ForInputAndOutput_SharedKeyContainer_GenerateScopedSas()
    {
        var container = new BlobContainerClient(new Uri("https://acct.blob.core.windows.net/data"), new StorageSharedKeyCredential("acct", TestIds.StorageAccountKey));
        var staging = BatchStaging.Create(new BatchRunOptions { Container = container, SasLifetime = TimeSpan.FromHours(2) }, _time, "options");

        var input = staging.ForInput("run/input1.csv");
        var output = staging.ForOutput("run/output1.csv");

        input.BaseLocation.Should().Be("https://acct.blob.core.windows.net/");
        input.RelativeLocation.Should().Be("data/run/input1.csv");
        input.ConnectionString.Should().BeNull();
        var inQuery = HttpUtility.ParseQueryString(input.SasBlobToken!);
        inQuery["sp"].Should().Be("r");
        inQuery["sr"].Should().Be("b");
        inQuery["se"].Should().Be("2030-01-02T05:04:05Z");
        HttpUtility.ParseQueryString(output.SasBlobToken!)["sp"].Should().Be("rcw");
        input.ToString().Should().Contain("sig=***").And.NotContain(inQuery["sig"]!);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/c/a/b.csv", "https://acct.blob.core.windows.net/", "c/a/b.csv")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/c/b.csv", "http://127.0.0.1:10000/devstoreaccount1/", "c/b.csv")]
    [InlineData("https://acct.blob.core.windows.net/c", "https://acct.blob.core.windows.net/", "c")]
    public void SplitBlobUri_ReturnsAccountBaseAndRelativeLocation(string uri, string baseLocation, string relative)
    {
        BlobLocations.SplitBlobUri(new Uri(uri)).Should().Be((baseLocation, relative));
    }

    [Fact]
    public void RunOptions_BothStorageSettings_ThrowsArgumentException()
    {
        var options = new BatchRunOptions { StorageConnectionString = TestIds.StorageConnectionString, Container = new BlobContainerClient(TestIds.StorageConnectionString, "c") };
        FluentActions.Invoking(() => options.ThrowIfInvalid("options")).Should().Throw<ArgumentException>().WithMessage("*either StorageConnectionString or Container*");
    }

    [Fact]
    public void RunOptions_NoStorage_ThrowsArgumentException()
    {
        FluentActions.Invoking(() => new BatchRunOptions().ThrowIfInvalid("options")).Should().Throw<ArgumentException>().WithMessage("*Set StorageConnectionString or Container*");
    }

    [Fact]
    public async Task RunBatchJobAsync_InvalidOptions_ThrowsBeforeAnyCall()
    {
        using var service = new FakeService(Transport.ClosedPort);
        var client = service.CreateClient();
        var act = () => client.RunBatchJobAsync(BatchJobInput.FromStream(new MemoryStream([1])), new BatchRunOptions());
        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("options");
    }
}
