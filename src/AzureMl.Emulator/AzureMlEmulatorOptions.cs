using Azure.Storage.Blobs;

namespace AzureMl.Emulator;

/// <summary>Configures an <see cref="AzureMlEmulator"/>: its address, identity, model, limits, gateway and storage.</summary>
public sealed class AzureMlEmulatorOptions
{
    /// <summary>The default workspace id.</summary>
    public const string DefaultWorkspaceId = "0123456789abcdef0123456789abcdef";

    /// <summary>The default service id.</summary>
    public const string DefaultServiceId = "fedcba9876543210fedcba9876543210";

    /// <summary>The default API key of the service.</summary>
    public const string DefaultApiKey = "emulator-api-key";

    /// <summary>The default of <see cref="MaxRequestBytes"/>: 16 MiB.</summary>
    public const int DefaultMaxRequestBytes = 16 * 1024 * 1024;

    /// <summary>Gets or sets the loopback port to listen on.</summary>
    /// <value>0, which binds a free port.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets the API key that callers send as <c>Authorization: Bearer {key}</c>.</summary>
    /// <value><see cref="DefaultApiKey"/>.</value>
    public string ApiKey { get; set; } = DefaultApiKey;

    /// <summary>Gets or sets the workspace id (32 hexadecimal characters) in the service path.</summary>
    /// <value><see cref="DefaultWorkspaceId"/>.</value>
    public string WorkspaceId { get; set; } = DefaultWorkspaceId;

    /// <summary>Gets or sets the id (32 hexadecimal characters) of the main service.</summary>
    /// <value><see cref="DefaultServiceId"/>.</value>
    public string ServiceId { get; set; } = DefaultServiceId;

    /// <summary>Gets or sets the model the main service scores with.</summary>
    /// <value>The walkthrough's feature hashing model: bits 3, n-grams 2, column <c>Col2</c>.</value>
    public EmulatedModel Model { get; set; } = new FeatureHashingModel();

    /// <summary>Gets the further services hosted next to the main one, in the same workspace.</summary>
    /// <value>Empty.</value>
    public IList<EmulatedService> AdditionalServices { get; } = new List<EmulatedService>();

    /// <summary>
    /// Gets the managed online endpoints hosted beside the classic services, behind the same gateway, at
    /// <c>{root}/onlineEndpoints/{name}/score</c>. Clear it to serve none.
    /// </summary>
    /// <value>
    /// One endpoint, <see cref="EmulatedOnlineEndpoint.DefaultName"/> (key authentication with the built-in demo keys),
    /// with one deployment, <see cref="EmulatedOnlineEndpoint.DefaultDeploymentName"/> at 100% traffic, running the
    /// feature hashing model as an MLflow deployment.
    /// </value>
    public IList<EmulatedOnlineEndpoint> OnlineEndpoints { get; } = new List<EmulatedOnlineEndpoint> { EmulatedOnlineEndpoint.CreateDefault() };

    /// <summary>Gets or sets how many request-response calls one service runs at once; more are answered 503 <c>TooManyConcurrentRequests</c>.</summary>
    /// <value>20, the classic service's default. Range 1 to 10,000.</value>
    public int MaxConcurrentRequests { get; set; } = 20;

    /// <summary>Gets or sets the largest request-response body, in bytes, the service reads; a larger one is answered 413 <c>MemoryQuotaViolation</c>/<c>OutOfMemoryLimit</c>.</summary>
    /// <value>16 MiB (16,777,216). Range 1 to 1 GiB.</value>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>Gets or sets how long one request-response call may score before it is answered 408 <c>ScoreRequestTimeout</c>.</summary>
    /// <value><see langword="null"/>: no limit. Measured on <see cref="TimeProvider"/>.</value>
    public TimeSpan? ExecutionTimeout { get; set; }

    /// <summary>Gets or sets how many batch jobs one service runs at once; further started jobs queue.</summary>
    /// <value>40, as the classic service. Range 1 to 10,000.</value>
    public int MaxConcurrentJobs { get; set; } = 40;

    /// <summary>Gets or sets the API Management front; <see langword="null"/> serves the service directly.</summary>
    /// <value><see langword="null"/>.</value>
    public EmulatorGatewayOptions? Gateway { get; set; }

    /// <summary>Gets or sets the storage account connection string that batch jobs write default outputs to.</summary>
    /// <value><see langword="null"/>, which starts Azurite (see <see cref="AzuriteInstance"/>) for the emulator's lifetime.</value>
    public string? StorageConnectionString { get; set; }

    /// <summary>
    /// Gets or sets the options of every storage client the emulator builds: for its own storage and for the blobs jobs
    /// name (service version <c>x-ms-version</c>, retries, transport).
    /// </summary>
    /// <value>
    /// <see langword="null"/>: service version 2026-06-06 (the newest that both Azure Storage and the pinned Azurite 3.37.0
    /// accept without <c>--skipApiVersionCheck</c>), 2 fixed retries 200 ms apart, and a 30-second network timeout.
    /// </value>
    public BlobClientOptions? BlobClientOptions { get; set; }

    /// <summary>Gets the options of the Azurite the emulator starts when <see cref="StorageConnectionString"/> is <see langword="null"/>.</summary>
    /// <value>The defaults of <see cref="AzuriteOptions"/>.</value>
    public AzuriteOptions Azurite { get; } = new();

    /// <summary>Gets or sets the container that batch jobs without <c>Outputs</c> write their results to.</summary>
    /// <value><c>azureml-emulator-results</c>.</value>
    public string ResultsContainer { get; set; } = "azureml-emulator-results";

    /// <summary>Gets or sets the clock for rate-limit and quota windows, SAS expiry, injected latency, online request timeouts and token expiry.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger factory the emulator and its web host log to.</summary>
    /// <value><see langword="null"/>, which logs nothing.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal IEnumerable<EmulatedService> AllServices()
    {
        yield return new EmulatedService(ServiceId, ApiKey, Model);
        foreach (var service in AdditionalServices)
        {
            yield return service;
        }
    }

    internal void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "The port must be between 0 and 65535.");
        }

        if (MaxConcurrentRequests is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), MaxConcurrentRequests, "The limit must be between 1 and 10,000.");
        }

        if (MaxRequestBytes is < 1 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBytes), MaxRequestBytes, "The limit must be between 1 byte and 1 GiB.");
        }

        if (MaxConcurrentJobs is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentJobs), MaxConcurrentJobs, "The limit must be between 1 and 10,000.");
        }

        if (ExecutionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ExecutionTimeout), ExecutionTimeout, "The timeout must be positive.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(ApiKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(WorkspaceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(ServiceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(ResultsContainer);
        ArgumentNullException.ThrowIfNull(Model);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        EmulatedService.ValidateId(WorkspaceId, nameof(WorkspaceId));

        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in AllServices())
        {
            ArgumentNullException.ThrowIfNull(service, nameof(AdditionalServices));
            if (!ids.Add(service.Id))
            {
                throw new ArgumentException($"The service id '{service.Id}' is used twice.", nameof(AdditionalServices));
            }
        }

        var endpoints = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in OnlineEndpoints)
        {
            ArgumentNullException.ThrowIfNull(endpoint, nameof(OnlineEndpoints));
            endpoint.Validate();
            if (!endpoints.Add(endpoint.Name))
            {
                throw new ArgumentException($"The online endpoint name '{endpoint.Name}' is used twice.", nameof(OnlineEndpoints));
            }
        }

        Gateway?.Validate();
    }
}
