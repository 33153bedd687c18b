using Azure.Storage.Blobs;
using AzureMl.Client;
using AzureMl.Client.Batch;
using AzureMl.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Cli;

/// <summary>Where the commands send their calls, and the client for it. Keys are read here and never printed.</summary>
internal sealed class CliConnection : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly AzureMlEmulator? _emulator;

    private CliConnection(ServiceProvider services, string? storageConnectionString, string description, AzureMlEmulator? emulator)
    {
        _services = services;
        _emulator = emulator;
        StorageConnectionString = storageConnectionString;
        Description = description;
        Client = services.GetRequiredService<IAzureMlClient>();
    }

    public IAzureMlClient Client { get; }

    /// <summary>The storage account for batch jobs, or null when none is configured.</summary>
    public string? StorageConnectionString { get; }

    /// <summary>Where the calls go, without keys.</summary>
    public string Description { get; }

    public string RequireStorage()
    {
        var storage = StorageConnectionString
            ?? throw new CliException(ExitCodes.UsageError, "No storage is configured for batch jobs: set AZUREML__STORAGECONNECTIONSTRING or the user secret AzureMl:StorageConnectionString.");
        try
        {
            _ = new BlobServiceClient(storage, BlobOptions());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The value is a secret: name the setting, never echo it.
            throw new CliException(ExitCodes.UsageError,
                "AZUREML__STORAGECONNECTIONSTRING is not a storage connection string: copy it from the storage account's Access keys "
                + "(DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net), or use UseDevelopmentStorage=true with Azurite.");
        }

        return storage;
    }

    /// <summary>
    /// Blob options for the CLI's uploads and downloads: the service version the SDK's batch runs send (accepted by Azure
    /// Storage and a stock Azurite), and few, short retries, so storage that does not answer fails in seconds, not after
    /// the SDK default's six tries with backoff.
    /// </summary>
    public static BlobClientOptions BlobOptions()
    {
        var options = new BlobClientOptions(BatchRunOptions.DefaultBlobServiceVersion);
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(15);
        return options;
    }

    /// <summary>Starts the emulator in this process (Azurite too when <paramref name="withStorage"/>), behind an API Management front.</summary>
    public static async Task<CliConnection> StartEmulatorAsync(bool withStorage, CancellationToken cancellationToken)
    {
        var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            // Scoring alone needs no blob storage; this connection string is never dialled.
            StorageConnectionString = withStorage ? null : "UseDevelopmentStorage=true",
            Gateway = new EmulatorGatewayOptions { Suffix = "azureml-demo", PrimaryKey = "cli-" + Guid.NewGuid().ToString("N") },
        }, cancellationToken);
        var services = Register(emulator.ServiceRoot, emulator.WorkspaceId, emulator.ServiceId, emulator.ApiKey, emulator.PrimarySubscriptionKey);
        return new CliConnection(services, withStorage ? emulator.StorageConnectionString : null, $"the emulator at {emulator.ServiceRoot}", emulator);
    }

    /// <summary>
    /// Reads the connection from environment variables (<c>AZUREML__ENDPOINT</c>, <c>AZUREML__APIKEY</c>, …) and user
    /// secrets (<c>AzureMl:…</c>); <paramref name="endpoint"/>, <paramref name="workspace"/> and <paramref name="service"/>
    /// from the command line win. Keys are never taken from the command line, where shell history and process lists keep them.
    /// </summary>
    public static CliConnection FromConfiguration(Uri? endpoint, string? workspace, string? service)
    {
        var configuration = new ConfigurationBuilder()
            .AddUserSecrets(typeof(CliConnection).Assembly, optional: true)
            .AddEnvironmentVariables()
            .Build()
            .GetSection("AzureMl");

        string Required(string? value, string key, string option) => !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new CliException(ExitCodes.UsageError, $"AzureMl:{key} is not set: pass {option}, set AZUREML__{key.ToUpperInvariant()}, or use --emulator to try it locally.");

        var root = endpoint?.ToString() ?? Required(configuration["Endpoint"], "Endpoint", "--endpoint");
        if (!Uri.TryCreate(root, UriKind.Absolute, out var uri))
        {
            throw new CliException(ExitCodes.UsageError, $"The endpoint '{root}' is not an absolute URL, e.g. https://ussouthcentral.services.azureml.net.");
        }

        var services = Register(
            uri,
            Required(workspace ?? configuration["WorkspaceId"], "WorkspaceId", "--workspace"),
            Required(service ?? configuration["ServiceId"], "ServiceId", "--service"),
            NullIfEmpty(configuration["ApiKey"]),
            NullIfEmpty(configuration["Gateway:PrimaryKey"]));
        return new CliConnection(services, NullIfEmpty(configuration["StorageConnectionString"]), "the service at " + uri.GetLeftPart(UriPartial.Path), emulator: null);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    private static ServiceProvider Register(Uri endpoint, string workspace, string service, string? apiKey, string? subscriptionKey)
    {
        var services = new ServiceCollection();
        var client = services.AddAzureMlClient(o =>
        {
            o.Endpoint = endpoint;
            o.WorkspaceId = workspace;
            o.ServiceId = service;
            o.ApiKey = apiKey;
        });
        if (subscriptionKey is not null)
        {
            client.AddSubscriptionKey(subscriptionKey);
        }

        var provider = services.BuildServiceProvider();
        try
        {
            // Options problems (a key with a line break, say) surface here as a usage error, before any call.
            _ = provider.GetRequiredService<IAzureMlClient>();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            provider.Dispose();
            throw new CliException(ExitCodes.UsageError, string.Join(" ", e.Failures));
        }

        return provider;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
