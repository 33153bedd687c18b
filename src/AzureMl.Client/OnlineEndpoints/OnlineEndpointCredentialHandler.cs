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

    private readonly Func<(string? Primary, string? Secondary)>? _keys;
    private readonly TokenCredential? _credential;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private volatile bool _useSecondary;
    private AccessToken? _token;

    private OnlineEndpointCredentialHandler(Func<(string? Primary, string? Secondary)>? keys, TokenCredential? credential, TimeProvider? timeProvider)
    {
        _keys = keys;
        _credential = credential;
        _timeProvider = timeProvider ?? TimeProvider.System;
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
        return new OnlineEndpointCredentialHandler(null, credential, timeProvider);
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
            if (refresh || _token is not { } cached || cached.ExpiresOn - RefreshMargin <= now)
            {
                _token = await _credential!.GetTokenAsync(new TokenRequestContext([EntraScope]), cancellationToken).ConfigureAwait(false);
            }

            return _token.Value.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }
}
