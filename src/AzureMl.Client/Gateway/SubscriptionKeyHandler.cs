using System.Net;
using System.Text;
using AzureMl.Client.Internal;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzureMl.Client.Gateway;

/// <summary>
/// Puts the API Management subscription key on every request (replacing any key already there, so a re-sent
/// request never carries it twice). When the gateway answers 401 in its own error shape (an invalid key, not the
/// service's 401) and the key provider has another key, the same request is sent once more with that key.
/// Works with any <see cref="HttpClient"/>; <c>AddSubscriptionKey</c> registers it on an AzureMl client.
/// </summary>
/// <remarks>
/// Sending a request again needs its content again: byte-array, string, memory and JSON contents, and the client's own
/// scoring bodies, are read again as they are; any other content is buffered in memory before the first send.
/// </remarks>
public sealed class SubscriptionKeyHandler : DelegatingHandler
{
    private const int MaxGatewayBodyBytes = 16 * 1024;

    private readonly ISubscriptionKeyProvider _keyProvider;
    private readonly string _headerName;
    private readonly string? _queryName;

    /// <summary>Creates a handler that takes keys from <paramref name="keyProvider"/>.</summary>
    /// <param name="keyProvider">Supplies the key per request.</param>
    /// <param name="options">
    /// Where to put the key (<see cref="AzureMlGatewayOptions.HeaderName"/>, <see cref="AzureMlGatewayOptions.SendKeyInQuery"/>,
    /// <see cref="AzureMlGatewayOptions.QueryParameterName"/>); the keys in it are not read. Default: the
    /// <c>Ocp-Apim-Subscription-Key</c> header.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message names the setting to fix.</exception>
    public SubscriptionKeyHandler(ISubscriptionKeyProvider keyProvider, AzureMlGatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keyProvider);
        options ??= new AzureMlGatewayOptions();
        options.ThrowIfInvalid(nameof(options));

        _keyProvider = keyProvider;
        _headerName = options.HeaderName;
        _queryName = options.SendKeyInQuery ? options.QueryParameterName : null;
    }

    internal ILogger Logger { get; init; } = NullLogger.Instance;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = await _keyProvider.GetKeyAsync(cancellationToken).ConfigureAwait(false);
        await Replay.EnsureAsync(request, cancellationToken).ConfigureAwait(false);
        SetKey(request, key);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await IsKeyRejectedAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        var other = await _keyProvider.GetFallbackKeyAsync(key, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(other) || string.Equals(other, key, StringComparison.Ordinal))
        {
            return response;
        }

        AzureMlLog.SubscriptionKeyFailover(Logger, OperationName(request));
        response.Dispose();
        SetKey(request, other);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static string OperationName(HttpRequestMessage request) =>
        AzureMlRequestOptions.TryGetOperation(request, out var op) ? AzureMlTelemetry.OperationName(op) : request.Method.Method;

    private void SetKey(HttpRequestMessage request, string key)
    {
        Guard.HeaderSecret(key, "subscription key");
        if (_queryName is null)
        {
            request.Headers.Remove(_headerName);
            request.Headers.TryAddWithoutValidation(_headerName, key);
            return;
        }

        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI to put the subscription key in.");
        var builder = new UriBuilder(uri);
        var query = new StringBuilder();
        foreach (var part in builder.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            if (!name.Equals(_queryName, StringComparison.OrdinalIgnoreCase))
            {
                query.Append(part).Append('&');
            }
        }

        query.Append(Uri.EscapeDataString(_queryName)).Append('=').Append(Uri.EscapeDataString(key));
        builder.Query = query.ToString();
        request.RequestUri = builder.Uri;
    }

    /// <summary>Whether the answer carries API Management's own key challenge (<c>WWW-Authenticate: AzureApiManagementKey</c>).</summary>
    internal static bool HasGatewayChallenge(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Any(c => c.Scheme.Equals("AzureApiManagementKey", StringComparison.OrdinalIgnoreCase));

    /// <summary>A 401 in the gateway's shape (<c>{"statusCode":401,…}</c> or its <c>WWW-Authenticate</c> scheme), not the service's 401.</summary>
    internal static async Task<bool> IsKeyRejectedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return false;
        }

        if (HasGatewayChallenge(response))
        {
            return true;
        }

        if (response.Content.Headers.ContentLength is > MaxGatewayBodyBytes)
        {
            return false;
        }

        // Buffered (as far as an error body is ever read), so whoever reads the error next still sees the same body,
        // whatever its size or framing.
        await AnswerBody.BufferAsync(response, AzureMlOperation.Execute, 0, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return body.Length <= MaxGatewayBodyBytes && ErrorResponseReader.Parse(body).Source == AzureMlErrorSource.Gateway;
    }
}
