using System.Diagnostics;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Gateway;

/// <summary>Always supplies the same subscription key.</summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class FixedSubscriptionKeyProvider : ISubscriptionKeyProvider
{
    private readonly string _key;

    /// <summary>Creates a provider for <paramref name="key"/>.</summary>
    /// <param name="key">The subscription key.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or holds a line break or control character.</exception>
    public FixedSubscriptionKeyProvider(string key)
    {
        _key = Guard.HeaderSecret(key, nameof(key));
    }

    /// <inheritdoc />
    public ValueTask<string> GetKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_key);

    /// <summary>Describes the provider; the key is never shown.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => "FixedSubscriptionKeyProvider { Key = *** }";
}
