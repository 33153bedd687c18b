namespace AzureMl.Client.Gateway;

/// <summary>
/// Supplies the API Management subscription key that <see cref="SubscriptionKeyHandler"/> puts on each request.
/// Implement it to read keys from a vault or another store; the handler asks on every attempt, so keep it fast
/// (cache and refresh in the background).
/// </summary>
public interface ISubscriptionKeyProvider
{
    /// <summary>Returns the key to send now.</summary>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The key; never empty.</returns>
    ValueTask<string> GetKeyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called when the gateway rejected <paramref name="rejectedKey"/> as invalid (HTTP 401 in the gateway's error shape).
    /// Returns another key to send the same request with once, or <see langword="null"/> to give up.
    /// </summary>
    /// <param name="rejectedKey">The key the gateway refused.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The other key, or <see langword="null"/> when there is none. Default: <see langword="null"/>.</returns>
    ValueTask<string?> GetFallbackKeyAsync(string rejectedKey, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
