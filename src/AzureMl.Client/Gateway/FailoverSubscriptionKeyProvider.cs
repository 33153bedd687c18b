using System.Diagnostics;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Gateway;

/// <summary>
/// Supplies a subscription's primary key and, when the gateway rejects the key in use, the other one; it then
/// keeps using the key that worked. This lets you regenerate one key while clients move to the other.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class FailoverSubscriptionKeyProvider : ISubscriptionKeyProvider
{
    private readonly KeyPair _keys;

    /// <summary>Creates a provider that starts with <paramref name="primaryKey"/>.</summary>
    /// <param name="primaryKey">The subscription's primary key.</param>
    /// <param name="secondaryKey">The subscription's secondary key.</param>
    /// <exception cref="ArgumentException">A key is empty or holds a line break or control character.</exception>
    public FailoverSubscriptionKeyProvider(string primaryKey, string secondaryKey)
    {
        _keys = new KeyPair(Guard.HeaderSecret(primaryKey, nameof(primaryKey)), Guard.HeaderSecret(secondaryKey, nameof(secondaryKey)));
    }

    /// <inheritdoc />
    public ValueTask<string> GetKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_keys.Current);

    /// <inheritdoc />
    public ValueTask<string?> GetFallbackKeyAsync(string rejectedKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_keys.FailOver(rejectedKey));

    /// <summary>Describes the provider; the keys are never shown.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => $"FailoverSubscriptionKeyProvider {{ PrimaryKey = ***, SecondaryKey = ***, UsingSecondary = {_keys.UsingSecondary} }}";
}

/// <summary>A primary/secondary pair that remembers which key is in use. Thread-safe.</summary>
internal sealed class KeyPair(string primary, string? secondary)
{
    private volatile bool _usingSecondary;

    public string Primary { get; } = primary;

    public string? Secondary { get; } = secondary;

    public bool UsingSecondary => _usingSecondary && Secondary is not null;

    public string Current => UsingSecondary ? Secondary! : Primary;

    /// <summary>Switches away from <paramref name="rejectedKey"/> and returns the other key, or null when there is none.</summary>
    public string? FailOver(string rejectedKey)
    {
        if (Secondary is null || string.Equals(Primary, Secondary, StringComparison.Ordinal))
        {
            return null;
        }

        if (string.Equals(rejectedKey, Primary, StringComparison.Ordinal))
        {
            _usingSecondary = true;
            return Secondary;
        }

        if (string.Equals(rejectedKey, Secondary, StringComparison.Ordinal))
        {
            _usingSecondary = false;
            return Primary;
        }

        return null;
    }
}
