namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Bulk scoring with 10% of calls faulted at random against the same run without faults, measured in interleaved
/// pairs (<c>--paired-faults N</c>) for the reason <see cref="PairedBulkFraction"/> gives: the two benchmarks of
/// <see cref="BulkFaultBenchmarks"/>, measured one after the other, see different machine states.
/// </summary>
public static class PairedBulkFaults
{
    public static async Task<int> RunAsync(int rounds, int warmupRounds)
    {
        var benchmark = new BulkFaultBenchmarks();
        await benchmark.Setup();
        try
        {
            var rows = BenchmarkSettings.Quick ? BulkThroughputBenchmarks.QuickRows : BulkThroughputBenchmarks.BulkRows;
            Console.WriteLine($"Paired faulted/fault-free: {rounds} rounds of {rows:N0} rows each way, after {warmupRounds} warm-up rounds; {Environment.ProcessorCount} cores, .NET {Environment.Version}; DI client, emulator in this process, {BulkFaultBenchmarks.FaultShare:P0} of execute calls answered 500 at random in the faulted run.");
            await PairedBulkFraction.RunPairsAsync(("No faults", benchmark.FaultFree), ("10% answered 500", benchmark.Faulted), rows, rounds, warmupRounds, "50%");
            return 0;
        }
        finally
        {
            await benchmark.Cleanup();
        }
    }
}
