using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using AzureMl.Client.Batch;

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

    private BatchStaging(BlobContainerClient container, string? connectionString, TimeProvider timeProvider, TimeSpan sasLifetime)
    {
        Container = container;
        _connectionString = connectionString;
        _timeProvider = timeProvider;
        _sasLifetime = sasLifetime;
    }

    public BlobContainerClient Container { get; }

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

            return new BatchStaging(container, null, timeProvider, options.SasLifetime);
        }

        BlobContainerClient client;
        try
        {
            client = new BlobContainerClient(options.StorageConnectionString, options.ContainerName);
        }
        catch (FormatException)
        {
            // The parser's message may quote the string; it is not passed on.
            throw new ArgumentException("BatchRunOptions.StorageConnectionString is not a valid storage connection string (its value is not shown). Copy it again from the storage account's access keys.", paramName);
        }

        return new BatchStaging(client, options.StorageConnectionString, timeProvider, options.SasLifetime);
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
