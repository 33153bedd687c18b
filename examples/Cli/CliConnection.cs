using Azure.Storage.Blobs;
using AzureMl.Client;
using AzureMl.Client.Batch;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Cli;

/// <summary>Where the commands send their calls, and the client for it. Keys are read here and never printed.</summary>
internal sealed class CliConnection : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly AzureMlEmulator? _emulator;
    private readonly IAzureMlClient? _client;

    private CliConnection(ServiceProvider services, string? storageConnectionString, string description, AzureMlEmulator? emulator)
    {
        _services = services;
        _emulator = emulator;
        StorageConnectionString = storageConnectionString;
        Description = description;
        OnlineClient = services.GetService<IOnlineEndpointClient>();
        _client = OnlineClient is null ? services.GetRequiredService<IAzureMlClient>() : null;
    }

    /// <summary>The classic web service's client (every command but <c>score --online</c>).</summary>
    public IAzureMlClient Client => _client
        ?? throw new InvalidOperationException("This command needs a classic web service; online endpoints are for 'score' only.");

    /// <summary>The online endpoint's client with <c>score --online</c>, else null.</summary>
    public IOnlineEndpointClient? OnlineClient { get; }

    /// <summary>The storage account for batch jobs, or null when none is configured.</summary>
    public string? StorageConnectionString { get; }

    /// <summary>Where the calls go, without keys.</summary>
    public string Description { get; }

    /// <summary>Scores rows in chunks against the online endpoint or the classic service, whichever this connection is for.</summary>
    public IAsyncEnumerable<BulkScoringChunk<ScoringRow>> ScoreBulkAsync(
        IEnumerable<string> columnNames, IAsyncEnumerable<IReadOnlyList<object?>> rows, BulkScoringOptions options, CancellationToken cancellationToken) =>
        OnlineClient is { } online
            ? online.ScoreBulkAsync(columnNames, rows, options, cancellationToken)
            : Client.ScoreBulkAsync(columnNames, rows, options, cancellationToken);

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
    /// Starts the emulator in this process, behind an API Management front, and connects to its online endpoint
    /// (<see cref="EmulatedOnlineEndpoint.DefaultName"/>: the same feature hashing model as the classic service).
    /// </summary>
    public static async Task<CliConnection> StartOnlineEmulatorAsync(string? deployment, CancellationToken cancellationToken)
    {
        var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            StorageConnectionString = "UseDevelopmentStorage=true",
            Gateway = new EmulatorGatewayOptions { Suffix = "azureml-demo", PrimaryKey = "cli-" + Guid.NewGuid().ToString("N") },
        }, cancellationToken);
        try
        {
            var options = new OnlineEndpointOptions
            {
                ScoringUri = emulator.OnlineScoringUri,
                Deployment = deployment,
                PrimaryKey = emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName),
            };
            var services = RegisterOnline(options, emulator.PrimarySubscriptionKey);
            return new CliConnection(services, null, $"the emulator's online endpoint at {emulator.OnlineScoringUri} ({DeploymentText(deployment)})", emulator);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Reads an online endpoint's connection from environment variables (<c>AZUREML__ONLINE__SCORINGURI</c>,
    /// <c>AZUREML__ONLINE__PRIMARYKEY</c>, <c>AZUREML__ONLINE__DEPLOYMENT</c>, …) and user secrets
    /// (<c>AzureMl:Online:…</c>); <paramref name="scoringUri"/> and <paramref name="deployment"/> from the command line
    /// win. Keys are never taken from the command line.
    /// </summary>
    public static CliConnection FromOnlineConfiguration(string? scoringUri, string? deployment)
    {
        var configuration = Configuration();
        var online = configuration.GetSection("Online");
        var uriText = NullIfEmpty(scoringUri) ?? NullIfEmpty(online["ScoringUri"])
            ?? throw new CliException(ExitCodes.UsageError,
                "AzureMl:Online:ScoringUri is not set: pass --scoring-uri or set AZUREML__ONLINE__SCORINGURI to the endpoint's scoring URI "
                + "(https://{endpoint}.{region}.inference.ml.azure.com/score, shown by 'az ml online-endpoint show' as scoring_uri), or use --emulator --online to try it locally.");
        if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri))
        {
            throw new CliException(ExitCodes.UsageError, $"The scoring URI '{uriText}' is not an absolute URL, e.g. https://my-endpoint.westeurope.inference.ml.azure.com/score.");
        }

        var primaryKey = NullIfEmpty(online["PrimaryKey"]);
        var subscriptionKey = NullIfEmpty(configuration["Gateway:PrimaryKey"]);
        if (primaryKey is null && subscriptionKey is null)
        {
            throw new CliException(ExitCodes.UsageError,
                "No key for the online endpoint: set AZUREML__ONLINE__PRIMARYKEY (or the user secret AzureMl:Online:PrimaryKey) to the endpoint's primary key "
                + "('az ml online-endpoint get-credentials', or the endpoint's Consume tab); behind API Management, set AZUREML__GATEWAY__PRIMARYKEY.");
        }

        deployment = NullIfEmpty(deployment) ?? NullIfEmpty(online["Deployment"]);
        var options = new OnlineEndpointOptions
        {
            ScoringUri = uri,
            Deployment = deployment,
            PrimaryKey = primaryKey,
            SecondaryKey = NullIfEmpty(online["SecondaryKey"]),
        };
        var services = RegisterOnline(options, subscriptionKey);
        return new CliConnection(services, null, $"the online endpoint at {uri.GetLeftPart(UriPartial.Path)} ({DeploymentText(deployment)})", emulator: null);
    }

    /// <summary>
    /// Reads the connection from environment variables (<c>AZUREML__ENDPOINT</c>, <c>AZUREML__APIKEY</c>, …) and user
    /// secrets (<c>AzureMl:…</c>); <paramref name="endpoint"/>, <paramref name="workspace"/> and <paramref name="service"/>
    /// from the command line win. Keys are never taken from the command line, where shell history and process lists keep them.
    /// </summary>
    public static CliConnection FromConfiguration(Uri? endpoint, string? workspace, string? service)
    {
        var configuration = Configuration();

        // Someone who set up an online endpoint and forgot --online learns the switch here.
        var onlineHint = NullIfEmpty(configuration["Online:ScoringUri"]) is not null
            ? " AZUREML__ONLINE__SCORINGURI is set: to score against that online endpoint, add --online."
            : string.Empty;
        string Required(string? value, string key, string option) => !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new CliException(ExitCodes.UsageError, $"AzureMl:{key} is not set: pass {option}, set AZUREML__{key.ToUpperInvariant()}, or use --emulator to try it locally.{onlineHint}");

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

    private static IConfigurationSection Configuration() => new ConfigurationBuilder()
        .AddUserSecrets(typeof(CliConnection).Assembly, optional: true)
        .AddEnvironmentVariables()
        .Build()
        .GetSection("AzureMl");

    private static string DeploymentText(string? deployment) => deployment is null ? "the endpoint's traffic rules pick the deployment" : $"deployment {deployment}";

    /// <summary>Checks a --deployment value before anything starts (the emulator included), with the client's own rule.</summary>
    public static void ValidateDeployment(string? deployment) =>
        ThrowIfInvalid(new OnlineEndpointOptions { ScoringUri = new Uri("https://localhost/score"), Deployment = NullIfEmpty(deployment) });

    /// <summary>The options' own checks, each message naming the flag or variable the user sets instead of the property.</summary>
    private static void ThrowIfInvalid(OnlineEndpointOptions options)
    {
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new CliException(ExitCodes.UsageError, string.Join(" ", problems.Select(p => p
                .Replace(nameof(OnlineEndpointOptions.ScoringUri), "The scoring URI (--scoring-uri or AZUREML__ONLINE__SCORINGURI)", StringComparison.Ordinal)
                .Replace(nameof(OnlineEndpointOptions.Deployment) + " '", "--deployment '", StringComparison.Ordinal)
                .Replace(nameof(OnlineEndpointOptions.SecondaryKey), "AZUREML__ONLINE__SECONDARYKEY", StringComparison.Ordinal)
                .Replace(nameof(OnlineEndpointOptions.PrimaryKey), "AZUREML__ONLINE__PRIMARYKEY", StringComparison.Ordinal))));
        }
    }

    private static ServiceProvider RegisterOnline(OnlineEndpointOptions options, string? subscriptionKey)
    {
        ThrowIfInvalid(options);
        var services = new ServiceCollection();
        var client = services.AddAzureMlOnlineEndpoint(o =>
        {
            o.ScoringUri = options.ScoringUri;
            o.Deployment = options.Deployment;
            o.PrimaryKey = options.PrimaryKey;
            o.SecondaryKey = options.SecondaryKey;
        });
        if (subscriptionKey is not null)
        {
            client.AddSubscriptionKey(subscriptionKey);
        }

        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOnlineEndpointClient>();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            provider.Dispose();
            throw new CliException(ExitCodes.UsageError, string.Join(" ", e.Failures));
        }

        return provider;
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
