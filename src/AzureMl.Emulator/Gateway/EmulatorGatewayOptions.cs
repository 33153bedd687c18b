namespace AzureMl.Emulator;

/// <summary>Configures the emulated API Management gateway in front of the services.</summary>
public sealed class EmulatorGatewayOptions
{
    /// <summary>Gets or sets the API URL suffix put before every service path.</summary>
    /// <value><c>azureml-demo</c>.</value>
    public string Suffix { get; set; } = "azureml-demo";

    /// <summary>Gets or sets the subscription's primary key.</summary>
    /// <value><c>emulator-primary-subscription-key</c>.</value>
    public string PrimaryKey { get; set; } = "emulator-primary-subscription-key";

    /// <summary>Gets or sets the subscription's secondary key; <see langword="null"/> for none.</summary>
    /// <value><c>emulator-secondary-subscription-key</c>.</value>
    public string? SecondaryKey { get; set; } = "emulator-secondary-subscription-key";

    /// <summary>Gets or sets the header that carries the subscription key.</summary>
    /// <value><c>Ocp-Apim-Subscription-Key</c>.</value>
    public string HeaderName { get; set; } = "Ocp-Apim-Subscription-Key";

    /// <summary>Gets or sets the query parameter that carries the key when the header is absent.</summary>
    /// <value><c>subscription-key</c>.</value>
    public string QueryName { get; set; } = "subscription-key";

    /// <summary>Gets or sets how many calls one key may make per <see cref="RateLimitPeriod"/>; over it the gateway answers 429 with <c>Retry-After</c>.</summary>
    /// <value><see langword="null"/>: no rate limit.</value>
    public int? RateLimitCalls { get; set; }

    /// <summary>Gets or sets the rate-limit window.</summary>
    /// <value>60 seconds. Range 1 to 300 seconds, as API Management allows.</value>
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how many calls one key may make per <see cref="QuotaPeriod"/>; over it the gateway answers 403 with <c>Retry-After</c>.</summary>
    /// <value><see langword="null"/>: no quota.</value>
    public int? QuotaCalls { get; set; }

    /// <summary>Gets or sets the quota window.</summary>
    /// <value>1 day.</value>
    public TimeSpan QuotaPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets a value indicating whether the gateway adds the service's API key (for an online endpoint in key mode, its current primary key) itself, so callers send none.</summary>
    /// <value><see langword="false"/>: the caller's <c>Authorization</c> header is forwarded untouched.</value>
    public bool InjectApiKey { get; set; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Suffix, nameof(Suffix));
        if (Suffix.Trim('/').Length == 0 || Suffix.Contains('?', StringComparison.Ordinal) || Suffix.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException("The suffix must be a URL path such as 'azureml-demo'.", nameof(Suffix));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(PrimaryKey, nameof(PrimaryKey));
        ArgumentException.ThrowIfNullOrWhiteSpace(HeaderName, nameof(HeaderName));
        ArgumentException.ThrowIfNullOrWhiteSpace(QueryName, nameof(QueryName));
        if (RateLimitCalls is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RateLimitCalls), RateLimitCalls, "The rate limit must allow at least one call.");
        }

        if (QuotaCalls is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(QuotaCalls), QuotaCalls, "The quota must allow at least one call.");
        }

        if (RateLimitPeriod < TimeSpan.FromSeconds(1) || RateLimitPeriod > TimeSpan.FromSeconds(300))
        {
            throw new ArgumentOutOfRangeException(nameof(RateLimitPeriod), RateLimitPeriod, "The rate-limit period must be between 1 and 300 seconds.");
        }

        if (QuotaPeriod < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(QuotaPeriod), QuotaPeriod, "The quota period must be at least one second.");
        }
    }
}
