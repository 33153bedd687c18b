using System.Diagnostics;
using System.Text.Json.Serialization;
using Azure.Storage.Blobs;
using AzureMl.Client.Storage;
using AzureMl.Storage;

using AzureMl.Client.Internal;

namespace AzureMl.Client.Batch;

/// <summary>
/// A blob a batch job reads or writes: either account-key access (<see cref="ConnectionString"/> plus
/// <see cref="RelativeLocation"/>) or SAS access (<see cref="BaseLocation"/>, <see cref="RelativeLocation"/> and
/// <see cref="SasBlobToken"/>). <see cref="ToString"/> and the debugger show the account key and SAS signature redacted.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
[DebuggerTypeProxy(typeof(DebugView))]
public sealed class BatchBlobReference
{
    /// <summary>Creates an empty reference; set the properties, or use <see cref="FromConnectionString"/> or <see cref="FromSasUri"/>.</summary>
    public BatchBlobReference()
    {
    }

    /// <summary>The storage connection string (account-key access). Secret: never logged or shown.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    [JsonPropertyName("ConnectionString")]
    public string? ConnectionString { get; init; }

    /// <summary>The blob location as <c>container/blob</c>.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    [JsonPropertyName("RelativeLocation")]
    public string? RelativeLocation { get; init; }

    /// <summary>The account URL ending in <c>/</c>, e.g. <c>https://acct.blob.core.windows.net/</c> (SAS access only).</summary>
    /// <value>Default: <see langword="null"/>.</value>
    [JsonPropertyName("BaseLocation")]
    public string? BaseLocation { get; init; }

    /// <summary>The SAS token starting with <c>?</c> (SAS access only). Secret: its signature is never logged or shown.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    [JsonPropertyName("SasBlobToken")]
    public string? SasBlobToken { get; init; }

    /// <summary>The container name: the first segment of <see cref="RelativeLocation"/>, or <see langword="null"/> when there is none.</summary>
    [JsonIgnore]
    public string? ContainerName => SplitLocation(RelativeLocation).Container;

    /// <summary>The blob name: <see cref="RelativeLocation"/> after the container, or <see langword="null"/> when there is none.</summary>
    [JsonIgnore]
    public string? BlobName => SplitLocation(RelativeLocation).Blob;

    /// <summary>Creates an account-key reference to <paramref name="blobName"/> in <paramref name="containerName"/>.</summary>
    /// <param name="connectionString">The storage connection string, e.g. <c>DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…</c>.</param>
    /// <param name="containerName">The container name.</param>
    /// <param name="blobName">The blob name, which may contain <c>/</c> for virtual folders.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="ArgumentException">An argument is empty, or the container name contains <c>/</c>.</exception>
    public static BatchBlobReference FromConnectionString(string connectionString, string containerName, string blobName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        if (containerName.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("The container name must not contain '/': pass the container and the blob name separately.", nameof(containerName));
        }

        return new BatchBlobReference
        {
            ConnectionString = connectionString,
            RelativeLocation = containerName + "/" + blobName.TrimStart('/'),
        };
    }

    /// <summary>
    /// Creates a SAS reference from a blob URL with its SAS token, such as
    /// <c>https://acct.blob.core.windows.net/container/blob.csv?sv=…&amp;sig=…</c>.
    /// </summary>
    /// <param name="blobSasUri">The blob URL with the SAS token as its query.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="ArgumentException">The URI is relative, has no SAS query, or names no container and blob.</exception>
    public static BatchBlobReference FromSasUri(Uri blobSasUri)
    {
        ArgumentNullException.ThrowIfNull(blobSasUri);
        if (!blobSasUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The SAS URI must be absolute, e.g. https://acct.blob.core.windows.net/container/blob.csv?sv=…", nameof(blobSasUri));
        }

        if (string.IsNullOrEmpty(blobSasUri.Query) || blobSasUri.Query == "?")
        {
            throw new ArgumentException("The URI has no SAS token: generate a SAS for the blob and pass the full URL including its query.", nameof(blobSasUri));
        }

        var (baseLocation, relative) = BlobLocations.SplitBlobUri(blobSasUri);
        if (relative is null || !relative.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("The SAS URI must name a container and a blob, e.g. …/container/blob.csv?sv=…", nameof(blobSasUri));
        }

        return new BatchBlobReference
        {
            BaseLocation = baseLocation,
            RelativeLocation = relative,
            SasBlobToken = blobSasUri.Query,
        };
    }

    /// <summary>
    /// The blob URL with its SAS token: <see cref="BaseLocation"/> + <see cref="RelativeLocation"/> + <see cref="SasBlobToken"/>.
    /// The result contains a secret; do not log it.
    /// </summary>
    /// <returns>The absolute blob URL with its SAS query.</returns>
    /// <exception cref="InvalidOperationException">The reference has no <see cref="BaseLocation"/>, <see cref="RelativeLocation"/> or <see cref="SasBlobToken"/>.</exception>
    public Uri GetSasUri()
    {
        if (string.IsNullOrEmpty(BaseLocation) || string.IsNullOrEmpty(RelativeLocation) || string.IsNullOrEmpty(SasBlobToken))
        {
            throw new InvalidOperationException(
                "This blob reference is not a SAS reference: it needs BaseLocation, RelativeLocation and SasBlobToken. " +
                "For account-key references use CreateBlobClient(), which uses the connection string.");
        }

        var baseLocation = BaseLocation.EndsWith('/') ? BaseLocation : BaseLocation + "/";
        var relative = RelativeLocation.TrimStart('/');
        var token = SasBlobToken.StartsWith('?') ? SasBlobToken : "?" + SasBlobToken;
        return new Uri(baseLocation + relative + token, UriKind.Absolute);
    }

    /// <summary>
    /// Creates a <see cref="BlobClient"/> for this blob: from the SAS (no account key needed) when present, otherwise
    /// from the connection string.
    /// </summary>
    /// <param name="options">
    /// Client options for the storage client (service version, retries, transport), or <see langword="null"/> for the SDK's
    /// defaults with <see cref="BatchRunOptions.DefaultBlobServiceVersion"/>, which Azure Storage and the pinned Azurite accept.
    /// </param>
    /// <returns>The blob client.</returns>
    /// <exception cref="InvalidOperationException">The reference holds neither a SAS nor a connection string with a location.</exception>
    public BlobClient CreateBlobClient(BlobClientOptions? options = null)
    {
        options ??= StorageServiceVersion.CreateOptions();
        if (!string.IsNullOrEmpty(BaseLocation) && !string.IsNullOrEmpty(SasBlobToken) && !string.IsNullOrEmpty(RelativeLocation))
        {
            return new BlobClient(GetSasUri(), options);
        }

        var (container, blob) = SplitLocation(RelativeLocation);
        if (!string.IsNullOrEmpty(ConnectionString) && container is not null && blob is not null)
        {
            return new BlobClient(ConnectionString, container, blob, options);
        }

        throw new InvalidOperationException(
            $"Cannot open blob {RelativeLocation ?? "(no RelativeLocation)"}: the reference needs either BaseLocation and SasBlobToken, or ConnectionString, plus RelativeLocation as container/blob.");
    }

    /// <summary>
    /// Downloads the blob into <paramref name="destination"/>, streaming (memory stays flat whatever the size), with the
    /// default client options of <see cref="CreateBlobClient"/>; for other options, download through <c>CreateBlobClient(options)</c>.
    /// </summary>
    /// <param name="destination">The stream to write to; left open.</param>
    /// <param name="bytesProgress">Receives the number of bytes downloaded so far.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>A task that completes when the blob is downloaded.</returns>
    public Task DownloadToAsync(Stream destination, IProgress<long>? bytesProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return DownloadToAsync(destination, null, bytesProgress, cancellationToken);
    }

    internal Task DownloadToAsync(Stream destination, BlobClientOptions? options, IProgress<long>? bytesProgress, CancellationToken cancellationToken) =>
        BlobTransfers.DownloadAsync(CreateBlobClient(options), destination, bytesProgress, cancellationToken);

    /// <summary>
    /// Downloads the blob to the file <paramref name="path"/> (created or overwritten), streaming, with the default client
    /// options of <see cref="CreateBlobClient"/>; for other options, download through <c>CreateBlobClient(options)</c>.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <param name="bytesProgress">Receives the number of bytes downloaded so far.</param>
    /// <param name="cancellationToken">Cancels the download; a partly written file is deleted.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public Task DownloadToFileAsync(string path, IProgress<long>? bytesProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return DownloadToFileAsync(path, null, bytesProgress, cancellationToken);
    }

    internal Task DownloadToFileAsync(string path, BlobClientOptions? options, IProgress<long>? bytesProgress, CancellationToken cancellationToken) =>
        BlobTransfers.DownloadToFileAsync(CreateBlobClient(options), path, bytesProgress, cancellationToken);

    /// <summary>Describes the reference with the account key and SAS signature redacted.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString()
    {
        var parts = new List<string>(4);
        if (ConnectionString is not null)
        {
            parts.Add("ConnectionString = " + SecretRedactor.Redact(ConnectionString));
        }

        if (BaseLocation is not null)
        {
            parts.Add("BaseLocation = " + BaseLocation);
        }

        if (RelativeLocation is not null)
        {
            parts.Add("RelativeLocation = " + RelativeLocation);
        }

        if (SasBlobToken is not null)
        {
            parts.Add("SasBlobToken = " + SecretRedactor.Redact(SasBlobToken));
        }

        return "BatchBlobReference { " + string.Join(", ", parts) + " }";
    }

    /// <summary>What the debugger shows when the reference is expanded: secrets redacted.</summary>
    internal sealed class DebugView(BatchBlobReference reference)
    {
        public string? ConnectionString => reference.ConnectionString is null ? null : SecretRedactor.Redact(reference.ConnectionString);

        public string? RelativeLocation => reference.RelativeLocation;

        public string? BaseLocation => reference.BaseLocation;

        public string? SasBlobToken => reference.SasBlobToken is null ? null : SecretRedactor.Redact(reference.SasBlobToken);
    }

    private static (string? Container, string? Blob) SplitLocation(string? relativeLocation)
    {
        if (string.IsNullOrEmpty(relativeLocation))
        {
            return (null, null);
        }

        var trimmed = relativeLocation.TrimStart('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return (trimmed.Length == 0 ? null : trimmed, null);
        }

        var blob = trimmed[(slash + 1)..];
        return (trimmed[..slash], blob.Length == 0 ? null : blob);
    }
}
