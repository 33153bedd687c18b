using AzureMl.Client;
using AzureMl.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Packaging.Tests.Examples;

/// <summary>The example of README.md, "Testing your app with the emulator", compiled and run as written.</summary>
public sealed class ReadmeEmulatorExampleTests : IAsyncLifetime
{
    private AzureMlEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
    {
        StorageConnectionString = "UseDevelopmentStorage=true", // scoring only: no blob storage is started
        Gateway = new EmulatorGatewayOptions { Suffix = "azureml-demo", PrimaryKey = "test-key" },
    });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Scores_through_the_gateway_and_survives_throttling()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(o =>
            {
                o.Endpoint = _emulator.ServiceRoot;       // http://127.0.0.1:{port}/azureml-demo/
                o.WorkspaceId = _emulator.WorkspaceId;
                o.ServiceId = _emulator.ServiceId;
                o.ApiKey = _emulator.ApiKey;
            })
            .AddSubscriptionKey(_emulator.PrimarySubscriptionKey!);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IAzureMlClient>();

        _emulator.Faults.Add(EmulatorRoute.Execute,
            EmulatorFault.Status(429, times: 1, retryAfter: TimeSpan.FromSeconds(1), body: FaultBody.Gateway));

        var output = await client.ExecuteAsync(new ScoringTable("Col2").AddRow("This is a good day"));

        Assert.Equal(new FeatureHashingModel().Hash("This is a good day")[0], output[0].GetInt32("Col2_HashingFeature.0"));
        Assert.Equal(2, _emulator.ReceivedCount(EmulatorRoute.Execute)); // the 429, then the retry
    }
}
