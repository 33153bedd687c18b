using System.Net;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AzureMl.Emulator.Tests.Hosting;

[Collection(EmulatorCollection.Name)]
public sealed class EmulatorLifetimeTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task StartAsync_NoStorage_StartsItsOwnAzuriteAndStopsIt()
    {
        string connectionString;
        await using (var emulator = await AzureMlEmulator.StartAsync())
        {
            connectionString = emulator.StorageConnectionString;
            connectionString.Should().NotBe(fixture.ConnectionString).And.Contain("devstoreaccount1");
            using var response = await emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            await new BlobServiceClient(connectionString, BlobLocator.CreateDefaultOptions()).GetBlobContainerClient("zero-config").CreateIfNotExistsAsync();
        }

        var act = () => new BlobServiceClient(connectionString, new Azure.Storage.Blobs.BlobClientOptions(AzureMl.Storage.StorageServiceVersion.Default) { Retry = { MaxRetries = 0 } }).GetBlobContainerClient("zero-config").ExistsAsync();
        await act.Should().ThrowAsync<Exception>("the emulator stops the Azurite it started");
    }

    [Fact]
    public async Task DisposeAsync_CallBlockedInModel_StopsPromptly()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], async (row, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return (IReadOnlyList<string?>)[row["x"]];
        });
        var emulator = await fixture.StartEmulatorAsync(o => o.Model = model);
        var call = emulator.ExecuteAsync("""{"Inputs":{"input1":{"ColumnNames":["x"],"Values":[["1"]]}}}""");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await emulator.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        await call.Invoking(c => c).Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task StartAsync_FixedPort_ListensThere()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        await using var emulator = await fixture.StartEmulatorAsync(o => o.Port = port);

        emulator.BaseAddress.Should().Be(new Uri($"http://127.0.0.1:{port}/"));
    }

    [Fact]
    public async Task StartAsync_DuplicateServiceIds_Throws()
    {
        var act = () => fixture.StartEmulatorAsync(o => o.AdditionalServices.Add(new EmulatedService(AzureMlEmulatorOptions.DefaultServiceId, "k", new FeatureHashingModel())));

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*used twice*");
    }

    [Fact]
    public async Task Logging_JobsAndStart_LoggedWithoutSecrets()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        await using (var emulator = await fixture.StartEmulatorAsync(o => o.LoggerFactory = loggerFactory))
        {
            (await emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody)).Dispose();
            var container = await Batch.BatchTestKit.NewContainerAsync(fixture.ConnectionString);
            await Batch.BatchTestKit.UploadAsync(container, "in.csv", "Col2\nx\n");
            var jobId = await Batch.BatchTestKit.SubmitAsync(emulator, $$$"""{"Inputs":{"input1":{{{Batch.BatchTestKit.Reference(fixture.ConnectionString, $"{container.Name}/in.csv")}}}}}""");
            await Batch.BatchTestKit.StartAsync(emulator, jobId);
            await Batch.BatchTestKit.WaitForEndAsync(emulator, jobId);
        }

        var messages = collector.GetSnapshot().Select(r => r.Message).ToList();
        messages.Should().Contain(m => m.Contains("listening on", StringComparison.Ordinal));
        messages.Should().Contain(m => m.Contains("is Finished", StringComparison.Ordinal));
        messages.Should().NotContain(m => m.Contains(AzuriteInstance.AccountKey, StringComparison.Ordinal) || m.Contains("emulator-api-key", StringComparison.Ordinal) || m.Contains("sig=", StringComparison.Ordinal));
    }
}
