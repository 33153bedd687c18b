using Microsoft.Extensions.Options;

namespace AzureMl.Client.Gateway;

/// <summary>
/// Supplies the keys of the named <see cref="AzureMlGatewayOptions"/> and follows their reloads, so keys rotate
/// without restarting the app. Fails over from primary to secondary like <see cref="FailoverSubscriptionKeyProvider"/>.
/// </summary>
internal sealed class OptionsSubscriptionKeyProvider(IOptionsMonitor<AzureMlGatewayOptions> monitor, string name) : ISubscriptionKeyProvider
{
    private readonly Lock _gate = new();
    private AzureMlGatewayOptions? _seen;
    private KeyPair? _keys;

    public ValueTask<string> GetKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Keys().Current);

    public ValueTask<string?> GetFallbackKeyAsync(string rejectedKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Keys().FailOver(rejectedKey));

    public override string ToString() => $"OptionsSubscriptionKeyProvider {{ Name = {name} }}";

    private KeyPair Keys()
    {
        // The monitor hands out a new instance after each reload: rebuild the pair then, starting from the primary key.
        var current = monitor.Get(name);
        lock (_gate)
        {
            if (!ReferenceEquals(current, _seen))
            {
                if (string.IsNullOrEmpty(current.PrimaryKey))
                {
                    throw new InvalidOperationException($"No API Management subscription key is configured for AzureMl client '{name}': set {nameof(AzureMlGatewayOptions.PrimaryKey)}.");
                }

                _keys = new KeyPair(current.PrimaryKey, string.IsNullOrEmpty(current.SecondaryKey) ? null : current.SecondaryKey);
                _seen = current;
            }

            return _keys!;
        }
    }
}
