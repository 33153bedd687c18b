using AzureMl.Emulator;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Bulk scoring with and without transient faults: the same 100,000 rows through <c>ScoreBulkAsync</c> (defaults), on
/// a client registered with <c>AddAzureMlClient</c> (the real handler chain: resilience pipeline, circuit breaker),
/// against the emulator in this process (the fault is set on its object). In the faulted benchmark the emulator
/// answers 10% of execute calls, drawn at random from a fixed seed, with a 500, and the run retries them. Every run
/// checks that batches come back in input order and whole. Time per row, as in <see cref="BulkThroughputBenchmarks"/>.
/// </summary>
/// <remarks>
/// Both use <see cref="BulkScoringOptions.MaxTransientRetries"/> = 6 instead of the default 3: at a 10% fault rate a
/// batch then runs out of retries once in 10^7, where with 3 it would once in 10^4, i.e. in about one run of
/// BenchmarkDotNet's 5,000 batches out of three.
/// </remarks>
[Config(typeof(ThroughputConfig))]
public class BulkFaultBenchmarks
{
    public const double FaultShare = 0.1;
    private const int Seed = 20261201;
    private static readonly BulkScoringOptions Options = new() { MaxTransientRetries = 6 };
    private readonly BulkThroughputBenchmarks _inner = new(pinned: false);
    private ServiceProvider _services = null!;
    private IAzureMlClient _client = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        await _inner.Setup();
        var emulator = _inner.Emulator!;
        var services = new ServiceCollection();
        services.AddAzureMlClient(o =>
        {
            o.Endpoint = emulator.ServiceRoot;
            o.WorkspaceId = emulator.WorkspaceId;
            o.ServiceId = emulator.ServiceId;
            o.ApiKey = emulator.ApiKey;
        });
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<IAzureMlClient>();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _services.DisposeAsync();
        await _inner.Cleanup();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "ScoreBulkAsync (DI client), no faults")]
    public Task<int> FaultFree() => _inner.ScoreBulkInOrder(_client, Options);

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "ScoreBulkAsync (DI client), 10% of calls answered 500")]
    public async Task<int> Faulted()
    {
        var faults = _inner.Emulator!.Faults;
        faults.AddRandom(EmulatorRoute.Execute, EmulatorFault.Status(500, times: int.MaxValue), FaultShare, Seed);
        try
        {
            return await _inner.ScoreBulkInOrder(_client, Options).ConfigureAwait(false);
        }
        finally
        {
            faults.Clear();
        }
    }
}
