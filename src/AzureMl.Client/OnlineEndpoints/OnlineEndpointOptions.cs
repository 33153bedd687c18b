using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using AzureMl.Client.Internal;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.OnlineEndpoints;

/// <summary>
/// Settings of an <see cref="OnlineEndpointClient"/>, which is bound to one Azure ML managed online endpoint (or an
/// API Management URL in front of one). The client copies them when it is built.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class OnlineEndpointOptions : IValidatableObject
{
    /// <summary>The default <see cref="SingleColumnName"/>.</summary>
    public const string DefaultSingleColumnName = "prediction";

    /// <summary>
    /// The scoring URI: the endpoint's own (<c>https://{endpoint}.{region}.inference.ml.azure.com/score</c>) or an API
    /// Management operation in front of it (<c>https://contoso.azure-api.net/ml/score</c>). Sent to as it is.
    /// </summary>
    /// <value>Required; no default. Absolute <c>https</c> (<c>http</c> only for a loopback address such as the emulator).</value>
    [Required(ErrorMessage = nameof(ScoringUri) + " is required: the endpoint's scoring URI (https://{{endpoint}}.{{region}}.inference.ml.azure.com/score) or an API Management URL in front of it.")]
    public Uri? ScoringUri { get; set; }

    /// <summary>
    /// A deployment to pin every call to (sent as <c>azureml-model-deployment</c>), e.g. to test a deployment with no
    /// traffic yet. Leave empty to follow the endpoint's traffic rules.
    /// </summary>
    /// <value>Default: <see langword="null"/>. 3 to 32 characters: letters, digits and hyphens, starting with a letter.</value>
    public string? Deployment { get; set; }

    /// <summary>A tracing id sent as <c>x-ms-client-request-id</c> on every call.</summary>
    /// <value>Default: <see langword="null"/>. At most 40 characters: letters, digits, <c>-</c> and <c>_</c> (what the endpoint keeps).</value>
    public string? ClientRequestId { get; set; }

    /// <summary>The endpoint's primary key (key authentication), sent as <c>Authorization: Bearer {key}</c>.</summary>
    /// <value>Default: <see langword="null"/>: no key (a credential, or an API Management policy, authenticates instead).</value>
    public string? PrimaryKey { get; set; }

    /// <summary>
    /// The endpoint's secondary key: when the endpoint (not the gateway) answers 401 to the primary key, the call is
    /// sent once more with this one, and the client keeps using it.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? SecondaryKey { get; set; }

    /// <summary>The column name of an answer that is a bare array of predictions (an MLflow regressor or classifier).</summary>
    /// <value>Default: <c>prediction</c>.</value>
    [Required(ErrorMessage = nameof(SingleColumnName) + " must not be empty.")]
    public string SingleColumnName { get; set; } = DefaultSingleColumnName;

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(OnlineEndpointOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        // A missing ScoringUri or SingleColumnName is reported by [Required].
        if (ScoringUri is not null && (!ScoringUri.IsAbsoluteUri || (ScoringUri.Scheme != Uri.UriSchemeHttps && !(ScoringUri.Scheme == Uri.UriSchemeHttp && ScoringUri.IsLoopback))))
        {
            yield return OptionsValidation.Problem($"{nameof(ScoringUri)} must be an absolute https URI (http only for a loopback address such as the emulator).");
        }
        else if (ScoringUri is not null && !string.IsNullOrEmpty(ScoringUri.Fragment))
        {
            yield return OptionsValidation.Problem($"{nameof(ScoringUri)} must not carry a fragment.");
        }

        if (Deployment is not null && !IsDeploymentName(Deployment))
        {
            yield return OptionsValidation.Problem($"{nameof(Deployment)} '{Sanitize(Deployment)}' is not a deployment name the endpoint accepts: 3 to 32 letters, digits and hyphens, starting with a letter.");
        }

        if (ClientRequestId is not null && !IsClientRequestId(ClientRequestId))
        {
            yield return OptionsValidation.Problem($"{nameof(ClientRequestId)} must be 1 to 40 letters, digits, '-' or '_' (the endpoint drops or cuts anything else).");
        }

        foreach (var (name, key) in new[] { (nameof(PrimaryKey), PrimaryKey), (nameof(SecondaryKey), SecondaryKey) })
        {
            if (key is not null && (key.Length == 0 || Guard.HasLineBreakOrControl(key)))
            {
                yield return OptionsValidation.Problem($"{name} is empty or contains a line break or control character: copy the key again without them.");
            }
        }

        if (SecondaryKey is not null && PrimaryKey is null)
        {
            yield return OptionsValidation.Problem($"{nameof(SecondaryKey)} is set without {nameof(PrimaryKey)}: set the primary key first.");
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(OnlineEndpointOptions), paramName);

    /// <summary>Creates an independent copy of these settings.</summary>
    /// <returns>The copy.</returns>
    public OnlineEndpointOptions Clone() => (OnlineEndpointOptions)MemberwiseClone();

    /// <summary>Describes the endpoint; keys are never shown.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() =>
        $"OnlineEndpointOptions {{ ScoringUri = {ScoringUri?.GetLeftPart(UriPartial.Path)}, Deployment = {Deployment ?? "(traffic rules)"}, PrimaryKey = {(PrimaryKey is null ? "(none)" : "***")}, SecondaryKey = {(SecondaryKey is null ? "(none)" : "***")} }}";

    internal static bool IsDeploymentName(string value) =>
        value.Length is >= 3 and <= 32 && char.IsAsciiLetter(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    internal static bool IsClientRequestId(string value) =>
        value.Length is >= 1 and <= 40 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Sanitize(string value) =>
        new string(value.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

/// <summary>Checks <see cref="OnlineEndpointOptions"/>: its attributes and its cross-setting rules.</summary>
[OptionsValidator]
internal sealed partial class OnlineEndpointOptionsValidator : IValidateOptions<OnlineEndpointOptions>
{
    public static OnlineEndpointOptionsValidator Instance { get; } = new();
}
