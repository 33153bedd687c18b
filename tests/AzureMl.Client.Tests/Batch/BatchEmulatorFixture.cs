using AzureMl.Emulator;

namespace AzureMl.Client.Tests.Batch;

/// <summary>One Azurite and one emulator shared by the batch integration tests.</summary>
public sealed class BatchEmulatorFixture : IAsyncLifetime
{
    /// <summary>A service whose job scores each row only once <see cref="ReleaseSlowJobs"/> is called: a job that stays running.</summary>
    public const string SlowServiceId = "5107000000000000000000000000510e";
    public const string SlowServiceKey = "slow-service-key";

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AzuriteInstance Azurite { get; private set; } = null!;

    public AzureMlEmulator Emulator { get; private set; } = null!;

    /// <summary>The emulator behind the harness's clients.</summary>
    internal FakeService Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteInstance.StartAsync();
        var options = new AzureMlEmulatorOptions { StorageConnectionString = Azurite.ConnectionString };
        options.AdditionalServices.Add(new EmulatedService(SlowServiceId, SlowServiceKey, EmulatedModel.Create(
            [new EmulatedColumn("Col2")],
            [new EmulatedColumn("Echo")],
            async (row, ct) =>
            {
                await _gate.Task.WaitAsync(ct);
                return [row["Col2"]];
            })));
        Emulator = await AzureMlEmulator.StartAsync(options);
        Service = FakeService.OfEmulator(Emulator);
    }

    public async Task DisposeAsync()
    {
        ReleaseSlowJobs();
        Service?.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }
    }

    public void ReleaseSlowJobs() => _gate.TrySetResult();

    public AzureMlClient CreateClient(string? serviceId = null, string? apiKey = null) =>
        Service.CreateClient(o =>
        {
            o.ServiceId = serviceId ?? o.ServiceId;
            o.ApiKey = apiKey ?? o.ApiKey;
        });
}

[CollectionDefinition(Name)]
public sealed class BatchEmulatorCollection : ICollectionFixture<BatchEmulatorFixture>
{
    public const string Name = "Batch emulator";
}
