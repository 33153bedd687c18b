namespace AzureMl.Emulator;

/// <summary>The faults an emulator injects, per route and optionally per service, applied in the order added.</summary>
public sealed class EmulatorFaults
{
    private readonly Lock _lock = new();
    private readonly List<(EmulatorRoute Route, string? ServiceId, EmulatorFault Fault)> _faults = [];

    internal EmulatorFaults()
    {
    }

    /// <summary>Adds a fault for the next calls of a route.</summary>
    /// <param name="route">The route.</param>
    /// <param name="fault">The fault.</param>
    /// <param name="serviceId">The service it applies to; <see langword="null"/> for all.</param>
    public void Add(EmulatorRoute route, EmulatorFault fault, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_lock)
        {
            _faults.Add((route, serviceId, fault));
        }
    }

    /// <summary>Removes every fault.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _faults.Clear();
        }
    }

    /// <summary>Gets the faults not yet used up.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _faults.Sum(f => f.Fault.Remaining);
            }
        }
    }

    internal EmulatorFault? Take(EmulatorRoute route, string serviceId)
    {
        lock (_lock)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var (faultRoute, faultService, fault) = _faults[i];
                if (faultRoute != route || (faultService is not null && !string.Equals(faultService, serviceId, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                if (fault.TryTake())
                {
                    if (fault.Remaining == 0)
                    {
                        _faults.RemoveAt(i);
                    }

                    return fault;
                }

                _faults.RemoveAt(i--);
            }

            return null;
        }
    }
}
