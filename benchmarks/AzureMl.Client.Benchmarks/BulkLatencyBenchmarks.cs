using AzureMl.Emulator;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// The same 100,000 rows with 5 ms added to every call by the emulator, as a network round trip to a remote service
/// would: then calls in flight, not CPU, bound the rate. Baseline: the single-threaded 500-row batcher (one row per
/// call would score 200 rows/s at best here). Time per row, as in <see cref="BulkThroughputBenchmarks"/>.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class BulkLatencyBenchmarks
{
    private static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(5);
    // In this process: the latency fault is set on the emulator object, and calls in flight, not CPU, bound the rate.
    private readonly BulkThroughputBenchmarks _inner = new(pinned: false);

    [GlobalSetup]
    public async Task Setup()
    {
        await _inner.Setup();
        _inner.Emulator!.Faults.Add(EmulatorRoute.Execute, EmulatorFault.Latency(RoundTrip, times: int.MaxValue));
    }

    [GlobalCleanup]
    public Task Cleanup() => _inner.Cleanup();

    [Benchmark(Baseline = true, OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "500-row batches, one call at a time, 5 ms RTT")]
    public Task<int> SingleThreadedBatcher() => _inner.SingleThreadedBatcher();

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "ScoreBulkAsync (defaults), 5 ms RTT")]
    public Task<int> BulkScoring() => _inner.BulkScoring();

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "Emulator ceiling (20 in flight), 5 ms RTT")]
    public Task<int> EmulatorCeiling() => _inner.EmulatorCeiling();
}
