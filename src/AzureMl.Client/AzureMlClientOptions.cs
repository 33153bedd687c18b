using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using AzureMl.Client.Internal;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Client;

/// <summary>
/// Settings of an <see cref="AzureMlClient"/>, which is bound to one web service.
/// The client copies them when it is built, so later changes do not affect it.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AzureMlClientOptions : IValidatableObject
{
    /// <summary>The default <see cref="ApiVersion"/>.</summary>
    public const string DefaultApiVersion = "2.0";

    /// <summary>
    /// The service root: a region host such as <c>https://ussouthcentral.services.azureml.net</c>, or an
    /// API Management gateway URL with its API suffix such as <c>https://contoso.azure-api.net/azureml-demo</c>.
    /// </summary>
    /// <value>Required; no default. Must be an absolute <c>http</c> or <c>https</c> URI without query or fragment.</value>
    [Required(ErrorMessage = nameof(Endpoint) + " is required: set it to the service root, e.g. https://ussouthcentral.services.azureml.net or an API Management URL with its API suffix.")]
    public Uri? Endpoint { get; set; }

    /// <summary>How the service path is formed below <see cref="Endpoint"/>.</summary>
    /// <value>Default: <see cref="AzureMlPathStyle.Workspace"/>.</value>
    public AzureMlPathStyle PathStyle { get; set; } = AzureMlPathStyle.Workspace;

    /// <summary>The workspace id (32 hex characters in practice). Required with <see cref="AzureMlPathStyle.Workspace"/>.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? WorkspaceId { get; set; }

    /// <summary>The Azure subscription id. Required with <see cref="AzureMlPathStyle.Subscription"/>.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? SubscriptionId { get; set; }

    /// <summary>The web service id (32 hex characters in practice).</summary>
    /// <value>Required; no default.</value>
    public string? ServiceId { get; set; }

    /// <summary>
    /// The endpoint's API key, sent as <c>Authorization: Bearer {key}</c>. Leave empty when an API Management
    /// policy injects the key itself.
    /// </summary>
    /// <value>Default: <see langword="null"/> (no <c>Authorization</c> header is sent).</value>
    public string? ApiKey { get; set; }

    /// <summary>The <c>api-version</c> query value sent on every call.</summary>
    /// <value>Default: <c>2.0</c>, the only version the classic service accepts.</value>
    [Required(ErrorMessage = nameof(ApiVersion) + " is required; the classic service accepts " + DefaultApiVersion + ".")]
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(AzureMlClientOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        // A missing Endpoint or ApiVersion is reported by [Required].
        if (Endpoint is not null && (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttps && Endpoint.Scheme != Uri.UriSchemeHttp)))
        {
            yield return OptionsValidation.Problem($"{nameof(Endpoint)} must be an absolute http or https URI.");
        }
        else if (Endpoint is not null && (!string.IsNullOrEmpty(Endpoint.Query) || !string.IsNullOrEmpty(Endpoint.Fragment)))
        {
            yield return OptionsValidation.Problem($"{nameof(Endpoint)} must not carry a query or fragment: give the service root only; the client adds paths and api-version itself.");
        }

        var (idName, id) = PathStyle switch
        {
            AzureMlPathStyle.Workspace => (nameof(WorkspaceId), WorkspaceId),
            AzureMlPathStyle.Subscription => (nameof(SubscriptionId), SubscriptionId),
            _ => (null, null),
        };
        if (idName is null)
        {
            yield return OptionsValidation.Problem($"{nameof(PathStyle)} has an unknown value {(int)PathStyle}: use Workspace or Subscription.");
        }
        else if (Guard.PathSegmentProblem(id) is { } idProblem)
        {
            yield return OptionsValidation.Problem($"{idName} {idProblem}");
        }

        if (Guard.PathSegmentProblem(ServiceId) is { } serviceProblem)
        {
            yield return OptionsValidation.Problem($"{nameof(ServiceId)} {serviceProblem}");
        }

        if (ApiKey is not null && Guard.HasLineBreakOrControl(ApiKey))
        {
            yield return OptionsValidation.Problem($"{nameof(ApiKey)} contains a line break or control character: copy the key again without them.");
        }

        if (!string.IsNullOrWhiteSpace(ApiVersion) && Guard.HasQueryBreakingCharacter(ApiVersion))
        {
            yield return OptionsValidation.Problem($"{nameof(ApiVersion)} contains characters that would change the URL query: use {DefaultApiVersion}.");
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(AzureMlClientOptions), paramName);

    /// <summary>Creates an independent copy of these settings.</summary>
    /// <returns>The copy.</returns>
    public AzureMlClientOptions Clone() => new()
    {
        Endpoint = Endpoint,
        PathStyle = PathStyle,
        WorkspaceId = WorkspaceId,
        SubscriptionId = SubscriptionId,
        ServiceId = ServiceId,
        ApiKey = ApiKey,
        ApiVersion = ApiVersion,
    };

    /// <summary>Describes the target service; the API key is never shown.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() =>
        $"AzureMlClientOptions {{ Endpoint = {Endpoint}, PathStyle = {PathStyle}, WorkspaceId = {WorkspaceId}, SubscriptionId = {SubscriptionId}, ServiceId = {ServiceId}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "***")}, ApiVersion = {ApiVersion} }}";
}

/// <summary>Checks <see cref="AzureMlClientOptions"/>: its attributes and its cross-setting rules.</summary>
[OptionsValidator]
internal sealed partial class AzureMlClientOptionsValidator : IValidateOptions<AzureMlClientOptions>
{
    public static AzureMlClientOptionsValidator Instance { get; } = new();
}
