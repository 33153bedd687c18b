using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Azure.Storage.Blobs;

using AzureMl.Client.Internal;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.Batch;

/// <summary>
/// Settings of a one-call batch run (<see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/>):
/// where the data is staged, how the job is waited for, and what is cleaned up. Give either
/// <see cref="StorageConnectionString"/> or <see cref="Container"/>.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class BatchRunOptions : IValidatableObject
{
    internal static readonly TimeSpan DefaultCleanupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The storage service version sent when <see cref="BlobClientOptions"/> is <see langword="null"/>: 2026-06-06, the
    /// newest version that both Azure Storage and the Azurite pinned with the emulator (3.37.0) accept. The newest
    /// version of Azure.Storage.Blobs is refused by that Azurite unless it runs with <c>--skipApiVersionCheck</c>.
    /// </summary>
    public const BlobClientOptions.ServiceVersion DefaultBlobServiceVersion = AzureMl.Storage.StorageServiceVersion.Default;

    /// <summary>
    /// The storage account connection string (with its account key). The service receives it in the job body to
    /// read the input and write the outputs. Secret: never logged or shown.
    /// </summary>
    /// <value>Default: <see langword="null"/>. Either this or <see cref="Container"/> is required.</value>
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string? StorageConnectionString { get; set; }

    /// <summary>
    /// A container client you built with any credential. When it has no account key of its own to share (no
    /// connection string), the service is given short-lived SAS tokens instead, which the client must be able to
    /// generate (<see cref="BlobContainerClient.CanGenerateSasUri"/>: built with a connection string or a
    /// <c>StorageSharedKeyCredential</c>).
    /// </summary>
    /// <value>Default: <see langword="null"/>. Either this or <see cref="StorageConnectionString"/> is required.</value>
    public BlobContainerClient? Container { get; set; }

    /// <summary>
    /// Options of the storage client built from <see cref="StorageConnectionString"/>, and of the clients that download
    /// the run's outputs: storage service version (<c>x-ms-version</c>), retries, transport. A <see cref="Container"/>
    /// you build keeps the options you built it with.
    /// </summary>
    /// <value>
    /// Default: <see langword="null"/>: the SDK's defaults, except <see cref="BlobClientOptions.ServiceVersion"/>
    /// <c>V2026_06_06</c> (see <see cref="DefaultBlobServiceVersion"/>).
    /// </value>
    public BlobClientOptions? BlobClientOptions { get; set; }

    /// <summary>The container used with <see cref="StorageConnectionString"/>.</summary>
    /// <value>Default: <c>azureml-batch</c>.</value>
    public string ContainerName { get; set; } = "azureml-batch";

    /// <summary>Whether the container is created when it does not exist.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool CreateContainerIfMissing { get; set; } = true;

    /// <summary>The web service's input port name.</summary>
    /// <value>Default: <c>input1</c>.</value>
    [Required(ErrorMessage = nameof(InputName) + " is required (usually input1).")]
    public string InputName { get; set; } = "input1";

    /// <summary>The input blob name. A blob with this name is overwritten.</summary>
    /// <value>Default: <see langword="null"/>: a unique name <c>{run id}/{InputName}.csv</c>.</value>
    public string? InputBlobName { get; set; }

    /// <summary>The output port names whose results are written into the container.</summary>
    /// <value>Default: <c>output1</c>. Outputs not named here are written to the service's own storage and still returned.</value>
    public IList<string> OutputNames { get; } = ["output1"];

    /// <summary>Output port name → blob name, for outputs whose blob name you choose.</summary>
    /// <value>Default: empty: each output gets a unique name <c>{run id}/{output name}.csv</c>.</value>
    public IDictionary<string, string> OutputBlobNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Web service parameters: name → value.</summary>
    /// <value>Default: empty.</value>
    public IDictionary<string, string> GlobalParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Whether the input blob is deleted when the run ends (successfully or not), unless a job still needs it.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool DeleteInputBlob { get; set; } = true;

    /// <summary>Whether the job is deleted from the service once it has ended (its output blobs stay).</summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool DeleteJobOnCompletion { get; set; }

    /// <summary>
    /// Whether a job that was created is deleted (cancelled) when the run is cancelled or fails before the job ends,
    /// so that nothing keeps running unattended.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool DeleteJobOnAbort { get; set; } = true;

    /// <summary>
    /// The time budget of a run's cleanup: deleting the job (when the run fails or is cancelled, or with
    /// <see cref="DeleteJobOnCompletion"/>) and the input blob. Failed deletes are tried again with backoff until they
    /// succeed or the budget is spent; meanwhile a job that could not be deleted is polled, and its input blob deleted as
    /// soon as it has ended. An input blob still kept when the budget is spent is remembered by the client (see
    /// <see cref="BatchInputBlobFate.KeptWhileJobMayRead"/>). Measured with the <see cref="TimeProvider"/> an
    /// <see cref="AzureMlClient"/> was built with (<see cref="TimeProvider.System"/> for other implementations of
    /// <see cref="IAzureMlClient"/>).
    /// </summary>
    /// <value>Default: 30 seconds. Range: 1 second to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan CleanupTimeout { get; set; } = DefaultCleanupTimeout;

    /// <summary>How long SAS tokens generated for the service (with <see cref="Container"/>) stay valid.</summary>
    /// <value>Default: 24 hours. Must be positive; make it longer than the job takes.</value>
    public TimeSpan SasLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How the job is polled.</summary>
    /// <value>Default: <see langword="null"/>: the defaults of <see cref="BatchPollingOptions"/>.</value>
#pragma warning disable SYSLIB1212 // Checked in IValidatableObject.Validate, so its messages name the path ("Polling.MaxDelay …").
    public BatchPollingOptions? Polling { get; set; }
#pragma warning restore SYSLIB1212

    /// <summary>Describes the settings; the connection string's account key is redacted.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() =>
        $"BatchRunOptions {{ Storage = {(StorageConnectionString is not null ? SecretRedactor.Redact(StorageConnectionString) : Container?.Uri.GetLeftPart(UriPartial.Path) ?? "(none)")}, " +
        $"Container = {(Container?.Name ?? ContainerName)}, InputName = {InputName}, Outputs = [{string.Join(", ", OutputNames)}], " +
        $"DeleteInputBlob = {DeleteInputBlob}, DeleteJobOnCompletion = {DeleteJobOnCompletion}, DeleteJobOnAbort = {DeleteJobOnAbort}, CleanupTimeout = {CleanupTimeout} }}";

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(BatchRunOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Container is null && string.IsNullOrWhiteSpace(StorageConnectionString))
        {
            yield return OptionsValidation.Problem($"Set {nameof(StorageConnectionString)} or {nameof(Container)}: the input is staged in blob storage the service can read.");
        }

        if (Container is not null && !string.IsNullOrWhiteSpace(StorageConnectionString))
        {
            yield return OptionsValidation.Problem($"Set either {nameof(StorageConnectionString)} or {nameof(Container)}, not both.");
        }

        if (Container is null && string.IsNullOrWhiteSpace(ContainerName))
        {
            yield return OptionsValidation.Problem($"{nameof(ContainerName)} is required with {nameof(StorageConnectionString)}.");
        }

        if (InputBlobName is not null && string.IsNullOrWhiteSpace(InputBlobName))
        {
            yield return OptionsValidation.Problem($"{nameof(InputBlobName)} must not be blank; leave it null for a generated name.");
        }

        if (OutputNames.Concat(OutputBlobNames.Keys).Any(string.IsNullOrWhiteSpace))
        {
            yield return OptionsValidation.Problem($"{nameof(OutputNames)} and {nameof(OutputBlobNames)} must not hold empty output names: use the port names the web service shows, e.g. output1.");
        }

        foreach (var (name, blob) in OutputBlobNames)
        {
            if (string.IsNullOrWhiteSpace(blob))
            {
                yield return OptionsValidation.Problem($"{nameof(OutputBlobNames)}[\"{name}\"] must not be blank.");
            }
        }

        if (SasLifetime <= TimeSpan.Zero)
        {
            yield return OptionsValidation.Problem($"{nameof(SasLifetime)} must be positive; make it longer than the job takes.");
        }

        if (Polling is not null)
        {
            foreach (var problem in OptionsValidation.Nested(nameof(Polling), Polling.Validate()))
            {
                yield return problem;
            }
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(BatchRunOptions), paramName);
}

/// <summary>Checks <see cref="BatchRunOptions"/>: its attributes and its cross-setting rules.</summary>
[OptionsValidator]
internal sealed partial class BatchRunOptionsValidator : IValidateOptions<BatchRunOptions>
{
    public static BatchRunOptionsValidator Instance { get; } = new();
}
