using Azure;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Client.Internal;
using AzureMl.Storage;

namespace AzureMl.Client.Storage;

/// <summary>Turns a storage refusal into a message that says what storage answered and what to change.</summary>
internal static class StorageFailure
{
    /// <summary>
    /// Wraps <paramref name="exception"/> in a <see cref="RequestFailedException"/> (one that takes notes) with the same status and error code,
    /// whose message names the action, the answer, and the fix. Only for answers: connection failures have status 0.
    /// </summary>
    /// <param name="exception">What the storage client threw.</param>
    /// <param name="action">What was attempted, e.g. <c>upload the input blob 'x' to container 'y'</c>.</param>
    /// <param name="versionSent">The service version of the client, when this library built it.</param>
    public static RequestFailedException Explain(RequestFailedException exception, string action, BlobClientOptions.ServiceVersion? versionSent)
    {
        var message = $"Blob storage refused to {action}: {exception.Status} {exception.ErrorCode ?? "(no error code)"}. " +
            $"Storage said: {SecretRedactor.Redact(StorageServiceVersion.ServerMessage(exception))} {Advice(exception, versionSent)}";
        return new NotedRequestFailedException(exception.Status, message, exception.ErrorCode, exception);
    }

    private static string Advice(RequestFailedException exception, BlobClientOptions.ServiceVersion? versionSent)
    {
        if (StorageServiceVersion.IsVersionRefusal(exception))
        {
            var sent = versionSent is { } v
                ? $"The request sent storage service version (x-ms-version) {StorageServiceVersion.Format(v)}, which this storage does not accept."
                : "The container client you passed in BatchRunOptions.Container sent a storage service version (x-ms-version) this storage does not accept; build it with BlobClientOptions of an older ServiceVersion.";
            return sent +
                $" Pass BatchRunOptions.BlobClientOptions = new BlobClientOptions(BlobClientOptions.ServiceVersion.{BatchRunOptions.DefaultBlobServiceVersion}) or older" +
                " (the default when it is null), or start Azurite with --skipApiVersionCheck, or upgrade Azurite.";
        }

        return exception.Status switch
        {
            401 or 403 => "Check the account key in the connection string, or the SAS permissions and expiry of the container client.",
            404 => "Check the container name, or set BatchRunOptions.CreateContainerIfMissing.",
            409 or 412 => "Another writer holds the blob or container; choose another blob name or retry later.",
            _ => "See the storage status and error code above.",
        };
    }
}
