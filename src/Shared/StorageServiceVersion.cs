using Azure;
using Azure.Storage.Blobs;

namespace AzureMl.Storage;

/// <summary>
/// The blob service version (<c>x-ms-version</c>) the client and the emulator send unless the user passes their own
/// <see cref="BlobClientOptions"/>, and how a refusal of that version is recognised. Compiled into both assemblies
/// from this one file, so the pin lives in one place.
/// </summary>
internal static class StorageServiceVersion
{
    // Why this version: Azure.Storage.Blobs defaults to its newest version (2026-10-06 in 12.30), which Azurite 3.37.0
    // (tools/azurite) refuses with 400 InvalidHeaderValue unless it runs with --skipApiVersionCheck. 2026-06-06 is the
    // newest version both Azurite 3.37.0 (its ValidAPIVersions list) and Azure Storage accept. Raise it together with
    // the Azurite pin, to the newest ServiceVersion at most the new Azurite's BLOB_API_VERSION.
    public const BlobClientOptions.ServiceVersion Default = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary>New options with <see cref="Default"/>; the SDK's other defaults (retries, transport) unchanged.</summary>
    public static BlobClientOptions CreateOptions() => new(Default);

    /// <summary>The version as it travels in <c>x-ms-version</c>, e.g. <c>2026-06-06</c>.</summary>
    public static string Format(BlobClientOptions.ServiceVersion version) =>
        version.ToString().TrimStart('V').Replace('_', '-');

    /// <summary>Whether storage answered but refused the request's <c>x-ms-version</c>, as Azurite and Azure Storage do.</summary>
    public static bool IsVersionRefusal(RequestFailedException exception) =>
        exception.Status == 400
        && string.Equals(exception.ErrorCode, "InvalidHeaderValue", StringComparison.Ordinal)
        && (exception.Message.Contains("API version", StringComparison.OrdinalIgnoreCase)
            || exception.Message.Contains("x-ms-version", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the storage account answered at all: status 0 means the request never got an answer.</summary>
    public static bool Answered(RequestFailedException exception) => exception.Status != 0;

    /// <summary>
    /// The storage service's own message: the first line of the exception's message, without the header dump; for an
    /// answer without a body (a HEAD request) the reason phrase, where Azure Storage and Azurite put the message then.
    /// </summary>
    public static string ServerMessage(RequestFailedException exception)
    {
        var message = exception.Message;
        var end = message.IndexOfAny(['\r', '\n']);
        var first = (end < 0 ? message : message[..end]).Trim();
        return first == "Service request failed." && exception.GetRawResponse()?.ReasonPhrase is { Length: > 0 } reason ? reason.Trim() : first;
    }
}
