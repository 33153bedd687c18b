using Azure.Storage.Blobs;

namespace AzureMl.Client.Storage;

/// <summary>Splits blob and container URLs into the service's <c>BaseLocation</c> and <c>RelativeLocation</c>.</summary>
internal static class BlobLocations
{
    /// <summary>Returns the account URL ending in <c>/</c> and <c>container/blob</c> (or just the container) of <paramref name="uri"/>.</summary>
    public static (string BaseLocation, string? RelativeLocation) SplitBlobUri(Uri uri)
    {
        var builder = new BlobUriBuilder(uri);
        var container = builder.BlobContainerName;
        var blob = builder.BlobName;
        builder.BlobContainerName = string.Empty;
        builder.BlobName = string.Empty;
        builder.Sas = null;
        builder.Query = null;
        builder.Snapshot = null;
        builder.VersionId = null;
        var baseLocation = builder.ToUri().AbsoluteUri;
        var q = baseLocation.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            baseLocation = baseLocation[..q];
        }

        if (!baseLocation.EndsWith('/'))
        {
            baseLocation += "/";
        }

        string? relative = null;
        if (!string.IsNullOrEmpty(container))
        {
            relative = string.IsNullOrEmpty(blob) ? container : container + "/" + blob;
        }

        return (baseLocation, relative);
    }
}
