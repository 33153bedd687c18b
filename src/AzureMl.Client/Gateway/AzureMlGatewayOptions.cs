using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using AzureMl.Client.Internal;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.Gateway;

/// <summary>
/// How the API Management subscription key is sent, and (when keys come from configuration) the keys themselves.
/// Bound from configuration by <c>AddSubscriptionKey(section)</c>; reloads of that section rotate the keys.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AzureMlGatewayOptions : IValidatableObject
{
    /// <summary>The default <see cref="HeaderName"/>.</summary>
    public const string DefaultHeaderName = "Ocp-Apim-Subscription-Key";

    /// <summary>The default <see cref="QueryParameterName"/>.</summary>
    public const string DefaultQueryParameterName = "subscription-key";

    /// <summary>The request header that carries the key. API Management lets an API rename it (e.g. <c>x-api-key</c>).</summary>
    /// <value>Default: <c>Ocp-Apim-Subscription-Key</c>.</value>
    public string HeaderName { get; set; } = DefaultHeaderName;

    /// <summary>
    /// Sends the key as a query parameter instead of a header. Weaker: URLs end up in proxy and server logs and
    /// browser history. Use only when the API accepts no header.
    /// </summary>
    /// <value>Default: <see langword="false"/> (the key goes in <see cref="HeaderName"/>).</value>
    public bool SendKeyInQuery { get; set; }

    /// <summary>The query parameter that carries the key when <see cref="SendKeyInQuery"/> is set.</summary>
    /// <value>Default: <c>subscription-key</c>.</value>
    public string QueryParameterName { get; set; } = DefaultQueryParameterName;

    /// <summary>The subscription's primary key; used first.</summary>
    /// <value>Default: <see langword="null"/>. Required when keys come from these options.</value>
    public string? PrimaryKey { get; set; }

    /// <summary>The subscription's secondary key; sent once when the gateway rejects the key in use, and kept if it works.</summary>
    /// <value>Default: <see langword="null"/> (no failover).</value>
    public string? SecondaryKey { get; set; }

    /// <summary>
    /// Set by <c>AddSubscriptionKey(section)</c> and <c>AddSubscriptionKey(configure)</c>: the keys come from these
    /// options, so <see cref="PrimaryKey"/> is required. With a key provider of your own, only the placement is checked.
    /// </summary>
    internal bool KeysFromOptions { get; set; }

    /// <summary>
    /// Checks the settings and returns one message per problem, each naming the setting to fix: where the key goes
    /// (<see cref="HeaderName"/>, <see cref="QueryParameterName"/>) and that the keys set are usable.
    /// <see cref="PrimaryKey"/> is required only when the keys come from these options (<c>AddSubscriptionKey</c> with a
    /// configuration section or a configure callback), which validates them when the host starts.
    /// </summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(AzureMlGatewayOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!IsToken(HeaderName))
        {
            yield return OptionsValidation.Problem($"{nameof(HeaderName)} must be a valid HTTP header name, e.g. {DefaultHeaderName}.");
        }

        if (SendKeyInQuery && (string.IsNullOrWhiteSpace(QueryParameterName) || Guard.HasQueryBreakingCharacter(QueryParameterName)))
        {
            yield return OptionsValidation.Problem($"{nameof(QueryParameterName)} must be a plain query parameter name, e.g. {DefaultQueryParameterName}.");
        }

        if (KeysFromOptions && string.IsNullOrEmpty(PrimaryKey))
        {
            yield return OptionsValidation.Problem($"{nameof(PrimaryKey)} is required: set it to the API Management subscription's primary key.");
        }

        if (PrimaryKey is not null && Guard.HasLineBreakOrControl(PrimaryKey))
        {
            yield return OptionsValidation.Problem($"{nameof(PrimaryKey)} contains a line break or control character: copy the key again without them.");
        }

        if (SecondaryKey is not null && Guard.HasLineBreakOrControl(SecondaryKey))
        {
            yield return OptionsValidation.Problem($"{nameof(SecondaryKey)} contains a line break or control character: copy the key again without them.");
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(AzureMlGatewayOptions), paramName);

    /// <summary>Describes the settings; keys are never shown.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() =>
        $"AzureMlGatewayOptions {{ HeaderName = {HeaderName}, SendKeyInQuery = {SendKeyInQuery}, QueryParameterName = {QueryParameterName}, PrimaryKey = {Shown(PrimaryKey)}, SecondaryKey = {Shown(SecondaryKey)} }}";

    private static string Shown(string? key) => string.IsNullOrEmpty(key) ? "(none)" : "***";

    private static bool IsToken(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Checks <see cref="AzureMlGatewayOptions"/>: where the key goes and the keys themselves.</summary>
[OptionsValidator]
internal sealed partial class AzureMlGatewayOptionsValidator : IValidateOptions<AzureMlGatewayOptions>
{
    public static AzureMlGatewayOptionsValidator Instance { get; } = new();
}
