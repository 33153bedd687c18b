using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Emulator;

/// <summary>Configures the emulated API Management gateway in front of the services.</summary>
public sealed class EmulatorGatewayOptions : IValidatableObject
{
    /// <summary>Gets or sets the API URL suffix put before every service path.</summary>
    /// <value><c>azureml-demo</c>.</value>
    [Required(ErrorMessage = nameof(Suffix) + " is required: a URL path such as 'azureml-demo'.")]
    public string Suffix { get; set; } = "azureml-demo";

    /// <summary>Gets or sets the subscription's primary key.</summary>
    /// <value><c>emulator-primary-subscription-key</c>.</value>
    [Required(ErrorMessage = nameof(PrimaryKey) + " is required.")]
    public string PrimaryKey { get; set; } = "emulator-primary-subscription-key";

    /// <summary>Gets or sets the subscription's secondary key; <see langword="null"/> for none.</summary>
    /// <value><c>emulator-secondary-subscription-key</c>.</value>
    public string? SecondaryKey { get; set; } = "emulator-secondary-subscription-key";

    /// <summary>Gets or sets the header that carries the subscription key.</summary>
    /// <value><c>Ocp-Apim-Subscription-Key</c>.</value>
    [Required(ErrorMessage = nameof(HeaderName) + " is required, e.g. Ocp-Apim-Subscription-Key.")]
    public string HeaderName { get; set; } = "Ocp-Apim-Subscription-Key";

    /// <summary>Gets or sets the query parameter that carries the key when the header is absent.</summary>
    /// <value><c>subscription-key</c>.</value>
    [Required(ErrorMessage = nameof(QueryName) + " is required, e.g. subscription-key.")]
    public string QueryName { get; set; } = "subscription-key";

    /// <summary>Gets or sets how many calls one key may make per <see cref="RateLimitPeriod"/>; over it the gateway answers 429 with <c>Retry-After</c>.</summary>
    /// <value><see langword="null"/>: no rate limit. At least 1 when set.</value>
    public int? RateLimitCalls { get; set; }

    /// <summary>Gets or sets the rate-limit window.</summary>
    /// <value>60 seconds. Range 1 to 300 seconds, as API Management allows.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how many calls one key may make per <see cref="QuotaPeriod"/>; over it the gateway answers 403 with <c>Retry-After</c>.</summary>
    /// <value><see langword="null"/>: no quota. At least 1 when set.</value>
    public int? QuotaCalls { get; set; }

    /// <summary>Gets or sets the quota window.</summary>
    /// <value>1 day. At least 1 second.</value>
    public TimeSpan QuotaPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets a value indicating whether the gateway adds the service's API key (for an online endpoint in key mode, its current primary key) itself, so callers send none.</summary>
    /// <value><see langword="false"/>: the caller's <c>Authorization</c> header is forwarded untouched.</value>
    public bool InjectApiKey { get; set; }

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(EmulatorGatewayOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Suffix) && (Suffix.Trim('/').Length == 0 || Suffix.Contains('?', StringComparison.Ordinal) || Suffix.Contains('#', StringComparison.Ordinal)))
        {
            yield return OptionsValidation.Problem($"{nameof(Suffix)} must be a URL path such as 'azureml-demo'.");
        }

        if (RateLimitCalls is < 1)
        {
            yield return OptionsValidation.Problem($"{nameof(RateLimitCalls)} must allow at least one call, or be null for no rate limit.");
        }

        if (QuotaCalls is < 1)
        {
            yield return OptionsValidation.Problem($"{nameof(QuotaCalls)} must allow at least one call, or be null for no quota.");
        }

        if (QuotaPeriod < TimeSpan.FromSeconds(1))
        {
            yield return OptionsValidation.Problem($"{nameof(QuotaPeriod)} must be at least one second.");
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(EmulatorGatewayOptions), paramName);
}

/// <summary>Checks <see cref="EmulatorGatewayOptions"/>: its attributes and its cross-setting rules.</summary>
[OptionsValidator]
internal sealed partial class EmulatorGatewayOptionsValidator : IValidateOptions<EmulatorGatewayOptions>
{
    public static EmulatorGatewayOptionsValidator Instance { get; } = new();
}
