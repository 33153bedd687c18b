using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AzureMl.Client.Storage;

/// <summary>Streaming uploads and downloads: data moves in blocks, never buffered whole.</summary>
internal static class BlobTransfers
{
    /// <summary>Block size and parallelism for uploads: bounded so memory stays flat for any input size.</summary>
    private static readonly Azure.Storage.StorageTransferOptions Transfer = new()
    {
        InitialTransferSize = 4 * 1024 * 1024,
        MaximumTransferSize = 4 * 1024 * 1024,
        MaximumConcurrency = 2,
    };

    public static async Task UploadAsync(BlobClient blob, Stream content, bool overwrite, IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            TransferOptions = Transfer,
            ProgressHandler = bytesProgress,
            HttpHeaders = new BlobHttpHeaders { ContentType = ContentTypeFor(blob.Name) },
        };
        if (!overwrite)
        {
            options.Conditions = new BlobRequestConditions { IfNoneMatch = Azure.ETag.All };
        }

        await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
    }

    public static async Task DownloadAsync(BlobClient blob, Stream destination, IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        var options = new BlobDownloadToOptions { TransferOptions = Transfer, ProgressHandler = bytesProgress };
        await blob.DownloadToAsync(destination, options, cancellationToken).ConfigureAwait(false);
    }

    public static async Task DownloadToFileAsync(BlobClient blob, string path, IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        var completed = false;
        try
        {
            var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await DownloadAsync(blob, file, bytesProgress, cancellationToken).ConfigureAwait(false);
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                TryDelete(path);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original failure is what the caller needs to see.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private static string ContentTypeFor(string name) => Path.GetExtension(name).ToUpperInvariant() switch
    {
        ".CSV" => "text/csv",
        ".TSV" => "text/tab-separated-values",
        _ => "application/octet-stream",
    };
}
