using System.Collections.Concurrent;

namespace AzureMl.Emulator;

/// <summary>Counts received requests per route and service, and the peak of concurrent executions.</summary>
internal sealed class EmulatorCounters
{
    private readonly ConcurrentDictionary<(EmulatorRoute Route, string ServiceId), int> _received = new();
    private int _peak;

    public int Peak => Volatile.Read(ref _peak);

    public void Received(EmulatorRoute route, string serviceId) =>
        _received.AddOrUpdate((route, serviceId.ToUpperInvariant()), 1, static (_, count) => count + 1);

    public int Count(EmulatorRoute route, string? serviceId)
    {
        var total = 0;
        foreach (var entry in _received)
        {
            if (entry.Key.Route == route && (serviceId is null || string.Equals(entry.Key.ServiceId, serviceId, StringComparison.OrdinalIgnoreCase)))
            {
                total += entry.Value;
            }
        }

        return total;
    }

    public void ObserveConcurrency(int current)
    {
        var peak = Volatile.Read(ref _peak);
        while (current > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, current, peak);
            if (seen == peak)
            {
                return;
            }

            peak = seen;
        }
    }

    public void Reset()
    {
        _received.Clear();
        Interlocked.Exchange(ref _peak, 0);
    }
}
