using System.Security.Cryptography;
using System.Text;

namespace AzureMl.Emulator;

/// <summary>The live state of one online endpoint: its current keys and each deployment's in-flight calls.</summary>
internal sealed class OnlineEndpointState
{
    private readonly Lock _lock = new();
    private string _primary;
    private string _secondary;

    public OnlineEndpointState(EmulatedOnlineEndpoint endpoint)
    {
        Name = endpoint.Name;
        AuthMode = endpoint.AuthMode;
        _primary = endpoint.PrimaryKey;
        _secondary = endpoint.SecondaryKey;

        // A snapshot taken at start, so later edits of the options object cannot race with calls.
        Deployments = [.. endpoint.Deployments.Select(d => new DeploymentState(d.Name, d.Model, d.TrafficPercent, d.InFlightCap, d.RequestTimeout))];
    }

    public string Name { get; }

    public OnlineEndpointAuthMode AuthMode { get; }

    public IReadOnlyList<DeploymentState> Deployments { get; }

    public string Key(KeyType type)
    {
        lock (_lock)
        {
            return type == KeyType.Secondary ? _secondary : _primary;
        }
    }

    public string Regenerate(KeyType type, string? value = null)
    {
        var key = string.IsNullOrEmpty(value) ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) : value;
        lock (_lock)
        {
            if (type == KeyType.Secondary)
            {
                _secondary = key;
            }
            else
            {
                _primary = key;
            }
        }

        return key;
    }

    public bool MatchesKey(string presented)
    {
        string primary, secondary;
        lock (_lock)
        {
            (primary, secondary) = (_primary, _secondary);
        }

        var bytes = Encoding.UTF8.GetBytes(presented);
        return CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(primary))
            | CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(secondary));
    }

    public DeploymentState? Find(string name) =>
        Deployments.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Picks a deployment by traffic weight, or <see langword="null"/> when none has positive traffic.</summary>
    public DeploymentState? Pick()
    {
        var total = Deployments.Sum(d => d.TrafficPercent);
        if (total <= 0)
        {
            return null;
        }

        var ticket = Random.Shared.Next(total);
        foreach (var deployment in Deployments)
        {
            ticket -= deployment.TrafficPercent;
            if (ticket < 0)
            {
                return deployment;
            }
        }

        return null;
    }
}

/// <summary>A deployment's settings, as they were at start, and its in-flight count.</summary>
internal sealed class DeploymentState(string name, EmulatedModel model, int trafficPercent, int inFlightCap, TimeSpan requestTimeout)
{
    private int _inFlight;

    public string Name { get; } = name;

    public EmulatedModel Model { get; } = model;

    public int TrafficPercent { get; } = trafficPercent;

    public int InFlightCap { get; } = inFlightCap;

    public TimeSpan RequestTimeout { get; } = requestTimeout;

    public int Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
