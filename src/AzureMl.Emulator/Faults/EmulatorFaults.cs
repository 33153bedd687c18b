namespace AzureMl.Emulator;

/// <summary>The faults an emulator injects, per route and optionally per service, applied in the order added.</summary>
public sealed class EmulatorFaults
{
    private readonly Lock _lock = new();
    private readonly List<(EmulatorRoute Route, string? ServiceId, EmulatorFault Fault, RandomShare? Share)> _faults = [];

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
            _faults.Add((route, serviceId, fault, null));
        }
    }

    /// <summary>
    /// Adds a fault for a random share of the next calls of a route: each call gets it with
    /// <paramref name="probability"/>, drawn from a generator seeded with <paramref name="seed"/>, so the same calls in
    /// the same order get the same faults. Each call that gets the fault uses one of its <see cref="EmulatorFault.Times"/>.
    /// </summary>
    /// <param name="route">The route.</param>
    /// <param name="fault">The fault, e.g. <c>EmulatorFault.Status(500, times: int.MaxValue)</c>.</param>
    /// <param name="probability">The chance that a call gets the fault, above 0 and at most 1.</param>
    /// <param name="seed">The seed of the random draws.</param>
    /// <param name="serviceId">The service it applies to; <see langword="null"/> for all.</param>
    public void AddRandom(EmulatorRoute route, EmulatorFault fault, double probability, int seed, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (!(probability > 0 && probability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Use a probability above 0 and at most 1.");
        }

        lock (_lock)
        {
#pragma warning disable CA5394 // Seeded on purpose: a fault run must be repeatable; nothing here needs security.
            _faults.Add((route, serviceId, fault, new RandomShare(new Random(seed), probability)));
#pragma warning restore CA5394
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
                var (faultRoute, faultService, fault, share) = _faults[i];
                if (faultRoute != route || (faultService is not null && !string.Equals(faultService, serviceId, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                if (share is not null && fault.Remaining > 0 && !share.Draw())
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

    /// <summary>The seeded draws of a fault added with <see cref="AddRandom"/>; used under the faults' lock.</summary>
    private sealed class RandomShare(Random random, double probability)
    {
#pragma warning disable CA5394 // Seeded on purpose (see AddRandom).
        public bool Draw() => random.NextDouble() < probability;
#pragma warning restore CA5394
    }
}
