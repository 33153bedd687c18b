namespace AzureMl.Emulator.Tests;

/// <summary>One Azurite for the whole test assembly: starting it costs seconds.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteInstance? _azurite;

    public AzuriteInstance Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => _azurite = await AzuriteInstance.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    public Task<AzureMlEmulator> StartEmulatorAsync(Action<AzureMlEmulatorOptions>? configure = null)
    {
        var options = new AzureMlEmulatorOptions { StorageConnectionString = ConnectionString };
        configure?.Invoke(options);
        return AzureMlEmulator.StartAsync(options);
    }
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Emulator";
}
