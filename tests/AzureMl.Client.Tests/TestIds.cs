namespace AzureMl.Client.Tests;

/// <summary>
/// The one set of ids and keys every fake-service harness of this project uses. Keys carry <c>S3CRET</c> so the secret
/// scans can find any that leaks.
/// </summary>
internal static class TestIds
{
    /// <summary>A workspace id as the service spells one (32 hex digits).</summary>
    public const string WorkspaceId = "0123456789abcdef0123456789abcdef";

    /// <summary>A web service id as the service spells one.</summary>
    public const string ServiceId = "fedcba9876543210fedcba9876543210";

    /// <summary>The web service's API key.</summary>
    public const string ApiKey = "mlkey-S3CRET-0f9a8b7c6d5e";

    /// <summary>The job a harness's service answers for.</summary>
    public const string JobId = "0000aaaa1111bbbb2222cccc3333dddd";

    /// <summary>An online endpoint's primary key.</summary>
    public const string EndpointPrimaryKey = "endpoint-primary-S3CRET-aaaa";

    /// <summary>An online endpoint's secondary key.</summary>
    public const string EndpointSecondaryKey = "endpoint-secondary-S3CRET-bbbb";

    /// <summary>A storage account key (base64, as the service spells one).</summary>
    public const string StorageAccountKey = "S3CRET00a2V5c2VjcmV0a2V5c2VjcmV0a2V5MTIzNDU2Nzg5MA==";

    /// <summary>A storage connection string with <see cref="StorageAccountKey"/>, for blob references of batch jobs.</summary>
    public const string StorageConnectionString = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + StorageAccountKey + ";EndpointSuffix=core.windows.net";
}
