using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using AzureMl.Storage;

namespace AzureMl.Emulator;

/// <summary>Turns the service's blob references into blob clients, and blobs back into read-only SAS references.</summary>
/// <param name="clientOptions">The options of every storage client the emulator builds; <see langword="null"/> for <see cref="CreateDefaultOptions"/>.</param>
internal sealed class BlobLocator(BlobClientOptions? clientOptions)
{
    public BlobClientOptions ClientOptions { get; } = clientOptions ?? CreateDefaultOptions();

    /// <summary>The emulator's default storage client options: the pinned service version, and short fixed retries.</summary>
    public static BlobClientOptions CreateDefaultOptions()
    {
        var options = StorageServiceVersion.CreateOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    /// <summary>Builds the client of a referenced blob; a reference that cannot be used answers <c>InvalidBlobConnectionString</c>.</summary>
    public BlockBlobClient Locate(BlobReferenceBody reference, string portName)
    {
        var relative = reference.RelativeLocation?.Trim().TrimStart('/');
        var slash = relative?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (string.IsNullOrEmpty(relative) || slash <= 0 || slash == relative.Length - 1)
        {
            throw Invalid(portName, $"The RelativeLocation of '{portName}' must have the form 'container/blob'.");
        }

        var container = relative[..slash];
        var blob = relative[(slash + 1)..];
        if (!string.IsNullOrWhiteSpace(reference.ConnectionString))
        {
            try
            {
                return new BlobServiceClient(reference.ConnectionString, ClientOptions).GetBlobContainerClient(container).GetBlockBlobClient(blob);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
            {
                throw Invalid(portName, $"The ConnectionString of '{portName}' is not a valid storage connection string.");
            }
        }

        if (!string.IsNullOrWhiteSpace(reference.BaseLocation) && !string.IsNullOrWhiteSpace(reference.SasBlobToken))
        {
            var token = reference.SasBlobToken.StartsWith('?') ? reference.SasBlobToken : "?" + reference.SasBlobToken;
            if (!Uri.TryCreate(reference.BaseLocation.TrimEnd('/') + "/" + relative + token, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw Invalid(portName, $"The BaseLocation of '{portName}' is not an http(s) URL.");
            }

            return new BlockBlobClient(uri, ClientOptions);
        }

        throw Invalid(portName, $"'{portName}' needs a ConnectionString, or a BaseLocation and a SasBlobToken.");
    }

    /// <summary>Checks that an input blob exists and can be read.</summary>
    public async Task CheckReadableAsync(BlockBlobClient blob, string portName, CancellationToken cancellationToken)
    {
        bool exists;
        try
        {
            exists = await blob.ExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 401 or 403)
        {
            throw Invalid(portName, $"The storage account refused access to '{portName}' ({e.Status}): check the account key or SAS token.");
        }
        catch (RequestFailedException e) when (StorageServiceVersion.Answered(e))
        {
            // It answered: say what it said, never that it could not be reached.
            throw Invalid(portName, $"The storage account of '{portName}' answered {Refusal(e)}");
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            throw Invalid(portName, $"The storage account of '{portName}' could not be reached.");
        }

        if (!exists)
        {
            throw new ServiceErrorException(ServiceError.BadArgument("BlobNotFound", $"The blob '{blob.BlobContainerName}/{blob.Name}' of '{portName}' does not exist.", portName));
        }
    }

    /// <summary>Describes a written blob as the service returns results: a read-only SAS reference.</summary>
    public static BlobReferenceBody Describe(BlockBlobClient blob, string? callerSasToken, DateTimeOffset expiresOn)
    {
        string token;
        if (blob.CanGenerateSasUri)
        {
            var builder = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
            {
                BlobContainerName = blob.BlobContainerName,
                BlobName = blob.Name,
                Resource = "b",
            };
            token = blob.GenerateSasUri(builder).Query;
        }
        else
        {
            // A blob reached through the caller's SAS: no account key here to sign a new one.
            token = callerSasToken is null || callerSasToken.StartsWith('?') ? callerSasToken ?? string.Empty : "?" + callerSasToken;
        }

        var account = blob.GetParentBlobContainerClient().GetParentBlobServiceClient().Uri.GetLeftPart(UriPartial.Path);
        return new BlobReferenceBody
        {
            ConnectionString = null,
            RelativeLocation = blob.BlobContainerName + "/" + blob.Name,
            BaseLocation = account.EndsWith('/') ? account : account + "/",
            SasBlobToken = token,
        };
    }

    /// <summary>
    /// Describes a storage answer that refused a call: status, error code and what to change, e.g.
    /// <c>400 InvalidHeaderValue: … The emulator sent x-ms-version 2026-10-06 …</c>. The storage message is quoted only
    /// for a version refusal: other messages may echo request details.
    /// </summary>
    public string Refusal(RequestFailedException exception)
    {
        var answer = $"{exception.Status} {exception.ErrorCode ?? "(no error code)"}";
        if (StorageServiceVersion.IsVersionRefusal(exception))
        {
            return $"{answer}: {StorageServiceVersion.ServerMessage(exception)} The emulator sent storage service version (x-ms-version) " +
                $"{StorageServiceVersion.Format(ClientOptions.Version)}, which this storage does not accept. Set AzureMlEmulatorOptions.BlobClientOptions " +
                $"with ServiceVersion = {StorageServiceVersion.Default} or older (the default when it is null), or start Azurite with --skipApiVersionCheck, or upgrade Azurite.";
        }

        return exception.Status switch
        {
            401 or 403 => $"{answer}: check the account key or the SAS token's permissions and expiry.",
            404 => $"{answer}: check the container and blob names.",
            _ => $"{answer}.",
        };
    }

    private static ServiceErrorException Invalid(string portName, string message) =>
        new(ServiceError.BadArgument("InvalidBlobConnectionString", message, portName));
}
