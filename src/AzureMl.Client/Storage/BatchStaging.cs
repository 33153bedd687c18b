using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using AzureMl.Client.Batch;
using AzureMl.Storage;

namespace AzureMl.Client.Storage;

/// <summary>
/// Where a one-call run stages its data, and how the service is told to reach it: the connection string when the
/// user gave one, otherwise short-lived SAS tokens generated from the user's container client.
/// </summary>
internal sealed class BatchStaging
{
    private readonly string? _connectionString;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _sasLifetime;

    private BatchStaging(BlobContainerClient container, BlobClientOptions.ServiceVersion? versionSent, string? connectionString, TimeProvider timeProvider, TimeSpan sasLifetime)
    {
        Container = container;
        VersionSent = versionSent;
        _connectionString = connectionString;
        _timeProvider = timeProvider;
        _sasLifetime = sasLifetime;
    }

    public BlobContainerClient Container { get; }

    /// <summary>The storage service version <see cref="Container"/> sends, when this class built it; unknown for the user's own client.</summary>
    public BlobClientOptions.ServiceVersion? VersionSent { get; }

    public static BatchStaging Create(BatchRunOptions options, TimeProvider timeProvider, string paramName)
    {
        if (options.Container is { } container)
        {
            if (!container.CanGenerateSasUri)
            {
                throw new ArgumentException(
                    "The service needs storage credentials in the job body, and the BlobContainerClient in BatchRunOptions.Container cannot generate SAS tokens " +
                    "(it was built with a token credential or a SAS). Build it with a connection string or a StorageSharedKeyCredential, " +
                    "or set BatchRunOptions.StorageConnectionString instead.",
                    paramName);
            }

            return new BatchStaging(container, null, null, timeProvider, options.SasLifetime);
        }

        BlobContainerClient client;
        var clientOptions = options.BlobClientOptions ?? StorageServiceVersion.CreateOptions();
        try
        {
            client = new BlobContainerClient(options.StorageConnectionString, options.ContainerName, clientOptions);
        }
        catch (FormatException)
        {
            // The parser's message may quote the string; it is not passed on.
            throw new ArgumentException("BatchRunOptions.StorageConnectionString is not a valid storage connection string (its value is not shown). Copy it again from the storage account's access keys.", paramName);
        }

        return new BatchStaging(client, clientOptions.Version, options.StorageConnectionString, timeProvider, options.SasLifetime);
    }

    public BatchBlobReference ForInput(string blobName) => Reference(blobName, BlobSasPermissions.Read);

    // Read as well: a service that writes through the caller's SAS may hand that same token back for the download.
    public BatchBlobReference ForOutput(string blobName) => Reference(blobName, BlobSasPermissions.Read | BlobSasPermissions.Create | BlobSasPermissions.Write);

    private BatchBlobReference Reference(string blobName, BlobSasPermissions permissions)
    {
        if (_connectionString is not null)
        {
            return BatchBlobReference.FromConnectionString(_connectionString, Container.Name, blobName);
        }

        var sasUri = Container.GetBlobClient(blobName).GenerateSasUri(permissions, _timeProvider.GetUtcNow() + _sasLifetime);
        return BatchBlobReference.FromSasUri(sasUri);
    }
}
