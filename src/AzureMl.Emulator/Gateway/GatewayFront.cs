using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AzureMl.Emulator;

/// <summary>The API Management checks in front of the services: subscription key, rate limit, quota.</summary>
internal sealed class GatewayFront
{
    private readonly EmulatorGatewayOptions _options;
    private readonly FixedWindowCounter? _rate;
    private readonly FixedWindowCounter? _quota;
    private readonly Func<HttpContext, string?> _apiKeyFor;

    // apiKeyFor: the key a policy injects for the call's service or online endpoint, if any.
    public GatewayFront(EmulatorGatewayOptions options, TimeProvider timeProvider, Func<HttpContext, string?> apiKeyFor)
    {
        _options = options;
        _apiKeyFor = apiKeyFor;
        if (options.RateLimitCalls is { } calls)
        {
            _rate = new FixedWindowCounter(calls, options.RateLimitPeriod, timeProvider);
        }

        if (options.QuotaCalls is { } quota)
        {
            _quota = new FixedWindowCounter(quota, options.QuotaPeriod, timeProvider);
        }
    }

    /// <summary>Returns <see langword="true"/> when the call may go on to the service, else answers it.</summary>
    public async Task<bool> AdmitAsync(HttpContext context, Uri realm)
    {
        var request = context.Request;
        string? key = request.Headers.TryGetValue(_options.HeaderName, out var header) ? header.ToString() : null;
        if (key is null && request.Query.TryGetValue(_options.QueryName, out var query))
        {
            key = query.ToString();
        }

        if (string.IsNullOrEmpty(key))
        {
            context.Response.Headers.WWWAuthenticate = $"AzureApiManagementKey realm=\"{realm}\",name=\"{_options.HeaderName}\",type=\"header\"";
            await GatewayErrors.WriteAsync(
                context.Response,
                StatusCodes.Status401Unauthorized,
                "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
                context.RequestAborted).ConfigureAwait(false);
            return false;
        }

        if (!Matches(key, _options.PrimaryKey) && (_options.SecondaryKey is null || !Matches(key, _options.SecondaryKey)))
        {
            await GatewayErrors.WriteAsync(
                context.Response,
                StatusCodes.Status401Unauthorized,
                "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
                context.RequestAborted).ConfigureAwait(false);
            return false;
        }

        if (_rate?.TryAcquire(key) is { } rateWait)
        {
            var seconds = Seconds(rateWait);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await GatewayErrors.WriteAsync(
                context.Response,
                StatusCodes.Status429TooManyRequests,
                $"Rate limit is exceeded. Try again in {seconds} seconds.",
                context.RequestAborted).ConfigureAwait(false);
            return false;
        }

        if (_quota?.TryAcquire(key) is { } quotaWait)
        {
            var seconds = Seconds(quotaWait);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            var replenished = TimeSpan.FromSeconds(seconds);
            await GatewayErrors.WriteAsync(
                context.Response,
                StatusCodes.Status403Forbidden,
                string.Create(CultureInfo.InvariantCulture, $"Out of call volume quota. Quota will be replenished in {(int)replenished.TotalHours:00}:{replenished.Minutes:00}:{replenished.Seconds:00}."),
                context.RequestAborted).ConfigureAwait(false);
            return false;
        }

        // API Management does not forward its own key; a policy may set the ML key in its place.
        request.Headers.Remove(_options.HeaderName);
        if (_options.InjectApiKey && _apiKeyFor(context) is { } apiKey)
        {
            request.Headers.Authorization = "Bearer " + apiKey;
        }

        return true;
    }

    private static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    private static bool Matches(string key, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(expected));
}
