using AzureMl.Emulator;
using Microsoft.Extensions.Configuration;

namespace AzureMl.Quickstart;

/// <summary>
/// The web service the quickstart talks to: your own, from configuration, or the emulator started in this process
/// (the walkthrough's feature-hashing service behind an API Management front, with Azurite as its blob storage).
/// </summary>
public sealed class QuickstartTarget : IAsyncDisposable
{
    private QuickstartTarget(
        Uri endpoint, string workspaceId, string serviceId, string? apiKey, string? subscriptionKey, string storageConnectionString, AzureMlEmulator? emulator,
        Uri? onlineScoringUri = null, string? onlineKey = null)
    {
        OnlineScoringUri = onlineScoringUri;
        OnlineKey = onlineKey;
        Endpoint = endpoint;
        WorkspaceId = workspaceId;
        ServiceId = serviceId;
        ApiKey = apiKey;
        SubscriptionKey = subscriptionKey;
        StorageConnectionString = storageConnectionString;
        Emulator = emulator;
    }

    /// <summary>The service root: the gateway URL with its API suffix when there is a gateway.</summary>
    public Uri Endpoint { get; }

    public string WorkspaceId { get; }

    public string ServiceId { get; }

    public string? ApiKey { get; }

    /// <summary>The API Management subscription key, or null when the service is called directly.</summary>
    public string? SubscriptionKey { get; }

    /// <summary>The storage account batch jobs read their input from and write their output to.</summary>
    public string StorageConnectionString { get; }

    /// <summary>A managed online endpoint serving the same model (<c>AzureMl:Online:ScoringUri</c>), or null to skip that step.</summary>
    public Uri? OnlineScoringUri { get; }

    /// <summary>The online endpoint's key (<c>AzureMl:Online:PrimaryKey</c>).</summary>
    public string? OnlineKey { get; }

    /// <summary>The emulator, when the quickstart started one; null against a real service.</summary>
    public AzureMlEmulator? Emulator { get; }

    /// <summary>Reads the target from the <c>AzureMl</c> section, or returns null when no endpoint is configured.</summary>
    public static QuickstartTarget? FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("AzureMl");
        if (string.IsNullOrWhiteSpace(section["Endpoint"]))
        {
            return null;
        }

        // Every missing setting is named at once, so one run tells the user all there is to set.
        string[] required = ["WorkspaceId", "ServiceId", "StorageConnectionString"];
        var missing = required.Where(key => string.IsNullOrWhiteSpace(section[key])).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{(missing.Count == 1 ? "This setting is" : "These settings are")} not set: "
                + string.Join(", ", missing.Select(key => $"AzureMl:{key} (AZUREML__{key.ToUpperInvariant()})"))
                + $". Set {(missing.Count == 1 ? "it" : "them")} in appsettings.json, user secrets, or environment variables.");
        }

        return new QuickstartTarget(
            new Uri(section["Endpoint"]!),
            section["WorkspaceId"]!,
            section["ServiceId"]!,
            section["ApiKey"],
            section["Gateway:PrimaryKey"] is { Length: > 0 } key ? key : null,
            section["StorageConnectionString"]!,
            emulator: null,
            section["Online:ScoringUri"] is { Length: > 0 } online ? new Uri(online) : null,
            section["Online:PrimaryKey"] is { Length: > 0 } onlineKey ? onlineKey : null);
    }

    /// <summary>Starts the emulator with an API Management front at <c>/azureml-demo/</c> (the classic service and the feature-hashing online endpoint behind it); Azurite starts with it.</summary>
    public static async Task<QuickstartTarget> StartEmulatorAsync(CancellationToken cancellationToken = default)
    {
        var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            Gateway = new EmulatorGatewayOptions
            {
                Suffix = "azureml-demo",
                PrimaryKey = "quickstart-" + Guid.NewGuid().ToString("N"),
            },
        }, cancellationToken);

        return new QuickstartTarget(
            emulator.ServiceRoot, emulator.WorkspaceId, emulator.ServiceId, emulator.ApiKey, emulator.PrimarySubscriptionKey,
            emulator.StorageConnectionString, emulator,
            emulator.OnlineScoringUri, emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName));
    }

    public async ValueTask DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }

    /// <summary>Where the calls go; no keys.</summary>
    public override string ToString() =>
        $"{(Emulator is null ? "service" : "emulator")} at {Endpoint}{(SubscriptionKey is null ? string.Empty : " (through API Management)")}";
}
