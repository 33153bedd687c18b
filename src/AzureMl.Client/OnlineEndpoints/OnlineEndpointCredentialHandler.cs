using System.Net;
using System.Net.Http.Headers;
using Azure.Core;
using AzureMl.Client.Gateway;
using AzureMl.Client.Internal;

namespace AzureMl.Client.OnlineEndpoints;

/// <summary>
/// Puts the online endpoint's credential on every attempt (<c>Authorization: Bearer …</c>, replacing any already
/// there): an endpoint key, with failover to the secondary key when the endpoint answers 401, or a Microsoft Entra
/// token from any <see cref="TokenCredential"/> (scope <see cref="EntraScope"/>), cached until shortly before it
/// expires and refreshed once on a 401. The gateway's own 401 (an API Management subscription key) is left to the
/// subscription key handler. <c>AddAzureMlOnlineEndpoint</c> registers it; add it yourself to any other
/// <see cref="HttpClient"/>.
/// </summary>
public sealed class OnlineEndpointCredentialHandler : DelegatingHandler
{
    /// <summary>The Microsoft Entra scope of Azure ML online endpoints.</summary>
    public const string EntraScope = "https://ml.azure.com/.default";

    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    /// <summary>The Azure Resource Manager scope, for the <c>aml_token</c> operation.</summary>
    private const string ManagementScope = "https://management.azure.com/.default";

    private readonly Func<(string? Primary, string? Secondary)>? _keys;
    private readonly Func<CancellationToken, ValueTask<(string Token, DateTimeOffset RefreshAt)>>? _tokens;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private readonly HttpClient? _management;
    private volatile bool _useSecondary;
    private (string Token, DateTimeOffset RefreshAt)? _token;

    private OnlineEndpointCredentialHandler(
        Func<(string? Primary, string? Secondary)>? keys,
        Func<OnlineEndpointCredentialHandler, CancellationToken, ValueTask<(string Token, DateTimeOffset RefreshAt)>>? tokens,
        TimeProvider? timeProvider,
        HttpClient? management = null)
    {
        _keys = keys;
        _tokens = tokens is null ? null : ct => tokens(this, ct);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _management = management;
    }

    /// <summary>Authenticates with endpoint keys.</summary>
    /// <param name="primaryKey">The endpoint's primary key.</param>
    /// <param name="secondaryKey">The secondary key, used when the endpoint refuses the primary one; optional.</param>
    /// <returns>The handler.</returns>
    /// <exception cref="ArgumentException">A key is empty or holds a line break.</exception>
    public static OnlineEndpointCredentialHandler FromKeys(string primaryKey, string? secondaryKey = null)
    {
        Guard.HeaderSecret(primaryKey, nameof(primaryKey));
        if (secondaryKey is not null)
        {
            Guard.HeaderSecret(secondaryKey, nameof(secondaryKey));
        }

        return new OnlineEndpointCredentialHandler(() => (primaryKey, secondaryKey), null, null);
    }

    /// <summary>Authenticates with Microsoft Entra tokens for <see cref="EntraScope"/>.</summary>
    /// <param name="credential">Any credential, e.g. <c>DefaultAzureCredential</c> or a managed identity.</param>
    /// <param name="timeProvider">The clock that decides when a cached token is refreshed. Default: <see cref="TimeProvider.System"/>.</param>
    /// <returns>The handler.</returns>
    public static OnlineEndpointCredentialHandler FromCredential(TokenCredential credential, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new OnlineEndpointCredentialHandler(null, async (_, ct) =>
        {
            var token = await credential.GetTokenAsync(new TokenRequestContext([EntraScope]), ct).ConfigureAwait(false);
            return (token.Token, token.ExpiresOn - RefreshMargin);
        }, timeProvider);
    }

    /// <summary>
    /// Authenticates with the endpoint's <c>aml_token</c>, fetched from its Azure Resource Manager <c>token</c> operation
    /// with <paramref name="managementCredential"/> (scope <c>https://management.azure.com/.default</c>; the identity
    /// needs <c>onlineEndpoints/token/action</c>), cached until the token's <c>refreshAfterTimeUtc</c> and fetched again
    /// once on a 401.
    /// </summary>
    /// <param name="endpointResourceId">
    /// The endpoint's resource id: <c>/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/onlineEndpoints/{name}</c>.
    /// </param>
    /// <param name="managementCredential">A credential for Azure Resource Manager.</param>
    /// <param name="managementEndpoint">The Resource Manager root; <see langword="null"/> for <c>https://management.azure.com/</c> (set it for a sovereign cloud).</param>
    /// <param name="timeProvider">The clock that decides when the token is fetched again. Default: <see cref="TimeProvider.System"/>.</param>
    /// <returns>The handler.</returns>
    /// <exception cref="ArgumentException"><paramref name="endpointResourceId"/> is not an online endpoint's resource id.</exception>
    public static OnlineEndpointCredentialHandler FromAmlToken(string endpointResourceId, TokenCredential managementCredential, Uri? managementEndpoint = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(managementCredential);
        ArgumentException.ThrowIfNullOrEmpty(endpointResourceId);
        var id = endpointResourceId.Trim('/');
        var parts = id.Split('/');
        if (parts.Length != 10 || !parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            || !parts[8].Equals("onlineEndpoints", StringComparison.OrdinalIgnoreCase) || parts.Any(p => p.Length == 0 || p is "." or ".."))
        {
            throw new ArgumentException(
                "Not an online endpoint's resource id: expected /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/onlineEndpoints/{name}.",
                nameof(endpointResourceId));
        }

        var root = (managementEndpoint ?? new Uri("https://management.azure.com/")).AbsoluteUri.TrimEnd('/');
        var tokenUri = new Uri($"{root}/{id}/token?api-version=2024-04-01", UriKind.Absolute);
        var management = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(30) };
        return new OnlineEndpointCredentialHandler(null, (handler, ct) => handler.FetchAmlTokenAsync(tokenUri, managementCredential, ct), timeProvider, management);
    }

    /// <summary>Keys read on every attempt (configuration reloads rotate them).</summary>
    internal static OnlineEndpointCredentialHandler FromKeySource(Func<(string? Primary, string? Secondary)> keys) => new(keys, null, null);
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var first = await AuthorizationAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        await Replay.EnsureAsync(request, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", first);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || await SubscriptionKeyHandler.IsKeyRejectedAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        var second = await AuthorizationAsync(refresh: true, cancellationToken).ConfigureAwait(false);
        if (second is null || string.Equals(second, first, StringComparison.Ordinal))
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", second);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tokenLock.Dispose();
            _management?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The credential to send; with <paramref name="refresh"/>, the one to try after a 401 (or null: none).</summary>
    private async ValueTask<string?> AuthorizationAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (_keys is not null)
        {
            var (primary, secondary) = _keys();
            if (refresh)
            {
                if (secondary is null)
                {
                    return null;
                }

                // Fail over to the other key and keep it, as for subscription keys.
                _useSecondary = !_useSecondary;
            }

            return _useSecondary && secondary is not null ? secondary : primary;
        }

        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _timeProvider.GetUtcNow();
            if (refresh || _token is not { } cached || cached.RefreshAt <= now)
            {
                _token = await _tokens!(cancellationToken).ConfigureAwait(false);
            }

            return _token.Value.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private async ValueTask<(string Token, DateTimeOffset RefreshAt)> FetchAmlTokenAsync(Uri tokenUri, TokenCredential managementCredential, CancellationToken cancellationToken)
    {
        var arm = await managementCredential.GetTokenAsync(new TokenRequestContext([ManagementScope]), cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri) { Content = new ByteArrayContent([]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", arm.Token);
        HttpResponseMessage response;
        try
        {
            response = await _management!.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new AzureMlException(
                $"Score failed: the endpoint's aml_token could not be fetched from Azure Resource Manager ({ex.Message.TrimEnd('.')}).",
                AzureMlOperation.Score, 0, AzureMlErrorSource.Transport, "TokenUnavailable", null, ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new AzureMlException(
                    $"Score failed: Azure Resource Manager answered {(int)response.StatusCode} to the endpoint's token operation. Check the endpoint's resource id and that the identity may run onlineEndpoints/token/action.",
                    AzureMlOperation.Score, (int)response.StatusCode, AzureMlErrorSource.Endpoint, "TokenUnavailable");
            }

            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(body);
                var root = doc.RootElement;
                var token = root.GetProperty("accessToken").GetString();
                var refreshAfter = root.TryGetProperty("refreshAfterTimeUtc", out var r) && r.TryGetInt64(out var seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : root.TryGetProperty("expiryTimeUtc", out var e) && e.TryGetInt64(out var expiry) ? DateTimeOffset.FromUnixTimeSeconds(expiry) - RefreshMargin : _timeProvider.GetUtcNow();
                if (string.IsNullOrEmpty(token))
                {
                    throw new FormatException("no accessToken");
                }

                return (token, refreshAfter);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
            {
                throw new AzureMlException(
                    "Score failed: Azure Resource Manager's answer to the endpoint's token operation is not an aml_token (accessToken, expiryTimeUtc, refreshAfterTimeUtc).",
                    AzureMlOperation.Score, (int)response.StatusCode, AzureMlErrorSource.Endpoint, "TokenUnavailable", null, ex);
            }
        }
    }
}
