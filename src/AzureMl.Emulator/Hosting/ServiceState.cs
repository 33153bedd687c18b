using System.Collections.Concurrent;

namespace AzureMl.Emulator;

/// <summary>The live state of one hosted service: its in-flight calls and its jobs.</summary>
internal sealed class ServiceState(EmulatedService service, int maxConcurrentJobs) : IDisposable
{
    private int _inFlight;

    public EmulatedService Service { get; } = service;

    public ConcurrentDictionary<string, BatchJob> Jobs { get; } = new(StringComparer.OrdinalIgnoreCase);

    public int MaxConcurrentJobs { get; } = maxConcurrentJobs;

    /// <summary>Admits started jobs: at most the configured number run at once, the rest wait their turn.</summary>
    public SemaphoreSlim JobSlots { get; } = new(maxConcurrentJobs, maxConcurrentJobs);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    public void Dispose() => JobSlots.Dispose();
}
