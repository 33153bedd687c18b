using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AzureMl.Emulator;

/// <summary>Issues and checks the bearer tokens the emulator stands in for: Microsoft Entra tokens and endpoint <c>aml_token</c>s.</summary>
internal sealed class EmulatorTokenIssuer(TimeProvider timeProvider)
{
    public const string MlAudience = "https://ml.azure.com";
    public const string ManagementAudience = "https://management.azure.com";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, (string Audience, DateTimeOffset ExpiresOn)> _tokens = new(StringComparer.Ordinal);

    public TimeProvider TimeProvider => timeProvider;

    /// <summary>The audience of a scope: <c>https://ml.azure.com/.default</c> → <c>https://ml.azure.com</c>.</summary>
    public static string AudienceOf(string scope)
    {
        var audience = scope.EndsWith("/.default", StringComparison.OrdinalIgnoreCase) ? scope[..^"/.default".Length] : scope;
        return audience.TrimEnd('/');
    }

    public (string Token, DateTimeOffset ExpiresOn) Issue(string audience, string prefix = "emulator-entra-")
    {
        // Opaque and random: nothing in it can be read back, so a logged token tells nothing but that it was one.
        var token = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var expiresOn = timeProvider.GetUtcNow() + Lifetime;
        _tokens[token] = (audience, expiresOn);
        return (token, expiresOn);
    }

    public bool IsValid(string? token, string audience) =>
        token is not null
        && _tokens.TryGetValue(token, out var issued)
        && string.Equals(issued.Audience, audience, StringComparison.OrdinalIgnoreCase)
        && timeProvider.GetUtcNow() < issued.ExpiresOn;
}
