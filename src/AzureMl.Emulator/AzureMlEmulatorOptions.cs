using System.ComponentModel.DataAnnotations;
using Azure.Storage.Blobs;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Emulator;

/// <summary>Configures an <see cref="AzureMlEmulator"/>: its address, identity, model, limits, gateway and storage.</summary>
public sealed class AzureMlEmulatorOptions : IValidatableObject
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
    /// <value>0, which binds a free port. Range 0 to 65,535.</value>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Gets or sets the API key that callers send as <c>Authorization: Bearer {key}</c>.</summary>
    /// <value><see cref="DefaultApiKey"/>.</value>
    [Required(ErrorMessage = nameof(ApiKey) + " is required.")]
    public string ApiKey { get; set; } = DefaultApiKey;

    /// <summary>Gets or sets the workspace id (32 hexadecimal characters) in the service path.</summary>
    /// <value><see cref="DefaultWorkspaceId"/>.</value>
    [Required(ErrorMessage = nameof(WorkspaceId) + " is required, e.g. " + DefaultWorkspaceId + ".")]
    public string WorkspaceId { get; set; } = DefaultWorkspaceId;

    /// <summary>Gets or sets the id (32 hexadecimal characters) of the main service.</summary>
    /// <value><see cref="DefaultServiceId"/>.</value>
    [Required(ErrorMessage = nameof(ServiceId) + " is required, e.g. " + DefaultServiceId + ".")]
    public string ServiceId { get; set; } = DefaultServiceId;

    /// <summary>Gets or sets the model the main service scores with.</summary>
    /// <value>The walkthrough's feature hashing model: bits 3, n-grams 2, column <c>Col2</c>.</value>
    [Required(ErrorMessage = nameof(Model) + " is required: the model the main service scores with.")]
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
#pragma warning disable SYSLIB1213 // Checked in IValidatableObject.Validate, so its messages name the endpoint.
    public IList<EmulatedOnlineEndpoint> OnlineEndpoints { get; } = new List<EmulatedOnlineEndpoint> { EmulatedOnlineEndpoint.CreateDefault() };
#pragma warning restore SYSLIB1213

    /// <summary>Gets or sets how many request-response calls one service runs at once; more are answered 503 <c>TooManyConcurrentRequests</c>.</summary>
    /// <value>20, the classic service's default. Range 1 to 10,000.</value>
    [Range(1, 10_000)]
    public int MaxConcurrentRequests { get; set; } = 20;

    /// <summary>Gets or sets the largest request-response body, in bytes, the service reads; a larger one is answered 413 <c>MemoryQuotaViolation</c>/<c>OutOfMemoryLimit</c>.</summary>
    /// <value>16 MiB (16,777,216). Range 1 to 1 GiB.</value>
    [Range(1, 1024 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>Gets or sets how long one request-response call may score before it is answered 408 <c>ScoreRequestTimeout</c>.</summary>
    /// <value><see langword="null"/>: no limit. Positive when set. Measured on <see cref="TimeProvider"/>.</value>
    public TimeSpan? ExecutionTimeout { get; set; }

    /// <summary>Gets or sets how many batch jobs one service runs at once; further started jobs queue.</summary>
    /// <value>40, as the classic service. Range 1 to 10,000.</value>
    [Range(1, 10_000)]
    public int MaxConcurrentJobs { get; set; } = 40;

    /// <summary>Gets or sets the API Management front; <see langword="null"/> serves the service directly.</summary>
    /// <value><see langword="null"/>.</value>
#pragma warning disable SYSLIB1212 // Checked in IValidatableObject.Validate, so its messages name the path ("Gateway.Suffix …").
    public EmulatorGatewayOptions? Gateway { get; set; }
#pragma warning restore SYSLIB1212

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
#pragma warning disable SYSLIB1212 // Checked in IValidatableObject.Validate, so its messages name the path ("Azurite.StartTimeout …").
    public AzuriteOptions Azurite { get; } = new();
#pragma warning restore SYSLIB1212

    /// <summary>Gets or sets the container that batch jobs without <c>Outputs</c> write their results to.</summary>
    /// <value><c>azureml-emulator-results</c>.</value>
    [Required(ErrorMessage = nameof(ResultsContainer) + " is required, e.g. azureml-emulator-results.")]
    public string ResultsContainer { get; set; } = "azureml-emulator-results";

    /// <summary>Gets or sets the clock for rate-limit and quota windows, SAS expiry, injected latency, online request timeouts and token expiry.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = nameof(TimeProvider) + " is required: leave it at TimeProvider.System, or set the clock to use.")]
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

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(AzureMlEmulatorOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (ExecutionTimeout <= TimeSpan.Zero)
        {
            yield return OptionsValidation.Problem($"{nameof(ExecutionTimeout)} must be positive, or null for no limit.");
        }

        foreach (var (name, id) in new[] { (nameof(WorkspaceId), WorkspaceId), (nameof(ServiceId), ServiceId) })
        {
            if (!string.IsNullOrWhiteSpace(id) && EmulatedService.IdProblem(id) is { } idProblem)
            {
                yield return OptionsValidation.Problem($"{name} {idProblem}");
            }
        }

        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ServiceId ?? string.Empty };
        foreach (var service in AdditionalServices)
        {
            if (service is null)
            {
                yield return OptionsValidation.Problem($"{nameof(AdditionalServices)} holds null: remove it.");
            }
            else if (!ids.Add(service.Id))
            {
                yield return OptionsValidation.Problem($"{nameof(AdditionalServices)}: the service id '{service.Id}' is used twice; give each service its own id.");
            }
        }

        var endpoints = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in OnlineEndpoints)
        {
            if (endpoint is null)
            {
                yield return OptionsValidation.Problem($"{nameof(OnlineEndpoints)} holds null: remove it.");
                continue;
            }

            foreach (var problem in OptionsValidation.Nested($"{nameof(OnlineEndpoints)}['{endpoint.Name}']", endpoint.Validate()))
            {
                yield return problem;
            }

            if (!endpoints.Add(endpoint.Name))
            {
                yield return OptionsValidation.Problem($"{nameof(OnlineEndpoints)}: the online endpoint name '{endpoint.Name}' is used twice.");
            }
        }

        if (Gateway is not null)
        {
            foreach (var problem in OptionsValidation.Nested(nameof(Gateway), Gateway.Validate()))
            {
                yield return problem;
            }
        }

        // Azurite starts only without a connection string, so its settings matter only then.
        if (StorageConnectionString is null)
        {
            foreach (var problem in OptionsValidation.Nested(nameof(Azurite), Azurite.Validate()))
            {
                yield return problem;
            }
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(AzureMlEmulatorOptions), paramName);
}

/// <summary>Checks <see cref="AzureMlEmulatorOptions"/>: its attributes, the services' ids, the online endpoints, the gateway and Azurite.</summary>
[OptionsValidator]
internal sealed partial class AzureMlEmulatorOptionsValidator : IValidateOptions<AzureMlEmulatorOptions>
{
    public static AzureMlEmulatorOptionsValidator Instance { get; } = new();
}
