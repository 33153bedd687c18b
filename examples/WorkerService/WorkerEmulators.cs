using AzureMl.Emulator;

namespace AzureMl.WorkerService;

/// <summary>
/// Two emulated web services for <c>--emulator</c>: one called directly, one behind an API Management front whose
/// rate limit (3 calls per 20 s) makes the gateway answer 429 now and then, so retries show up in the log.
/// Scoring only: no blob storage is started.
/// </summary>
public sealed class WorkerEmulators : IAsyncDisposable
{
    private readonly AzureMlEmulator _direct;
    private readonly AzureMlEmulator _gateway;

    private WorkerEmulators(AzureMlEmulator direct, AzureMlEmulator gateway)
    {
        _direct = direct;
        _gateway = gateway;
    }

    /// <summary>Configuration that points both clients at the emulators.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("AzureMl:Clients:direct:Endpoint", _direct.ServiceRoot.ToString()),
        new("AzureMl:Clients:direct:WorkspaceId", _direct.WorkspaceId),
        new("AzureMl:Clients:direct:ServiceId", _direct.ServiceId),
        new("AzureMl:Clients:direct:ApiKey", _direct.ApiKey),
        new("AzureMl:Clients:gateway:Endpoint", _gateway.ServiceRoot.ToString()),
        new("AzureMl:Clients:gateway:WorkspaceId", _gateway.WorkspaceId),
        new("AzureMl:Clients:gateway:ServiceId", _gateway.ServiceId),
        new("AzureMl:Clients:gateway:ApiKey", _gateway.ApiKey),
        new("AzureMl:Clients:gateway:Gateway:PrimaryKey", _gateway.PrimarySubscriptionKey),
    ];

    public static async Task<WorkerEmulators> StartAsync(CancellationToken cancellationToken = default)
    {
        const string noStorage = "UseDevelopmentStorage=true";
        var direct = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            StorageConnectionString = noStorage,
            ApiKey = "direct-" + Guid.NewGuid().ToString("N"),
        }, cancellationToken);
        try
        {
            var gateway = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
            {
                StorageConnectionString = noStorage,
                ApiKey = "gateway-" + Guid.NewGuid().ToString("N"),
                Gateway = new EmulatorGatewayOptions
                {
                    Suffix = "azureml-demo",
                    PrimaryKey = "subscription-" + Guid.NewGuid().ToString("N"),
                    RateLimitCalls = 3,
                    RateLimitPeriod = TimeSpan.FromSeconds(20),
                },
            }, cancellationToken);
            return new WorkerEmulators(direct, gateway);
        }
        catch
        {
            await direct.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _direct.DisposeAsync();
    }
}
