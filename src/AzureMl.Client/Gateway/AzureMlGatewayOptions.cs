using System.Diagnostics;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Gateway;

/// <summary>
/// How the API Management subscription key is sent, and (when keys come from configuration) the keys themselves.
/// Bound from configuration by <c>AddSubscriptionKey(section)</c>; reloads of that section rotate the keys.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AzureMlGatewayOptions
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

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <param name="requireKey">Whether <see cref="PrimaryKey"/> must be set (keys come from these options).</param>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate(bool requireKey)
    {
        var errors = new List<string>();
        if (!IsToken(HeaderName))
        {
            errors.Add($"{nameof(HeaderName)} must be a valid HTTP header name, e.g. {DefaultHeaderName}.");
        }

        if (SendKeyInQuery && (string.IsNullOrWhiteSpace(QueryParameterName) || Guard.HasQueryBreakingCharacter(QueryParameterName)))
        {
            errors.Add($"{nameof(QueryParameterName)} must be a plain query parameter name, e.g. {DefaultQueryParameterName}.");
        }

        if (requireKey && string.IsNullOrEmpty(PrimaryKey))
        {
            errors.Add($"{nameof(PrimaryKey)} is required: set it to the API Management subscription's primary key.");
        }

        if (PrimaryKey is not null && Guard.HasLineBreakOrControl(PrimaryKey))
        {
            errors.Add($"{nameof(PrimaryKey)} contains a line break or control character: copy the key again without them.");
        }

        if (SecondaryKey is not null && Guard.HasLineBreakOrControl(SecondaryKey))
        {
            errors.Add($"{nameof(SecondaryKey)} contains a line break or control character: copy the key again without them.");
        }

        return errors;
    }

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
