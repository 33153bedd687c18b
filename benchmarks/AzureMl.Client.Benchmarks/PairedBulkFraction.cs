using System.Diagnostics;
using System.Globalization;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Bulk scoring's fraction of the emulator's ceiling, measured in pairs: each round runs the ceiling and
/// <c>ScoreBulkAsync</c> (defaults) back to back over the same 100,000 rows, alternating which goes first, so both
/// see the same machine state. On a shared machine whose speed drifts over seconds, this compares the two far more
/// tightly than two BenchmarkDotNet benchmarks measured one after the other. Reports every round, the median of the
/// per-round fractions and its quartiles, and the ratio of the median rates.
/// </summary>
public static class PairedBulkFraction
{
    public static async Task<int> RunAsync(int rounds, int warmupRounds)
    {
        var benchmark = new BulkThroughputBenchmarks();
        await benchmark.Setup();
        try
        {
            var rows = BenchmarkSettings.Quick ? BulkThroughputBenchmarks.QuickRows : BulkThroughputBenchmarks.BulkRows;
            Console.WriteLine($"Paired bulk/ceiling: {rounds} rounds of {rows:N0} rows each way, after {warmupRounds} warm-up rounds; {Environment.ProcessorCount} cores, .NET {Environment.Version}; {benchmark.Hosting}.");
            await RunPairsAsync(("Emulator ceiling", benchmark.EmulatorCeiling), ("ScoreBulkAsync, defaults", benchmark.BulkScoring), rows, rounds, warmupRounds, "95% with the emulator on its own core");
            return 0;
        }
        finally
        {
            await benchmark.Cleanup();
        }
    }

    /// <summary>
    /// The same for the online endpoint: the ceiling (raw 500-row MLflow bodies, 16 in flight) and online
    /// <c>ScoreBulkAsync</c> (defaults) back to back over the same 100,000 rows.
    /// </summary>
    /// <param name="rounds">Measured rounds.</param>
    /// <param name="warmupRounds">Rounds run first and not reported.</param>
    /// <param name="parsedCeiling">
    /// Instead of bulk scoring, the ceiling with every answer read by the online client's parser: how much of the
    /// ceiling the parse alone costs.
    /// </param>
    public static async Task<int> RunOnlineAsync(int rounds, int warmupRounds, bool parsedCeiling = false)
    {
        var benchmark = new OnlineBulkThroughputBenchmarks();
        await benchmark.Setup();
        try
        {
            var rows = BenchmarkSettings.Quick ? BulkThroughputBenchmarks.QuickRows : BulkThroughputBenchmarks.BulkRows;
            Console.WriteLine($"Paired online bulk/ceiling: {rounds} rounds of {rows:N0} rows each way, after {warmupRounds} warm-up rounds; {Environment.ProcessorCount} cores, .NET {Environment.Version}; {benchmark.Hosting}.");
            if (parsedCeiling)
            {
                await RunPairsAsync(("Online endpoint ceiling", benchmark.EndpointCeiling), ("Ceiling, answers parsed", benchmark.EndpointCeilingParsed), rows, rounds, warmupRounds, "none (diagnostic)");
            }
            else
            {
                await RunPairsAsync(("Online endpoint ceiling", benchmark.EndpointCeiling), ("Online ScoreBulkAsync, defaults", benchmark.BulkScoring), rows, rounds, warmupRounds, "95%");
            }

            return 0;
        }
        finally
        {
            await benchmark.Cleanup();
        }
    }

    /// <summary>
    /// Runs <paramref name="baseline"/> and <paramref name="subject"/> back to back, alternating which goes first, and
    /// prints every round's rates and fraction (subject / baseline), their median and quartiles, and the ratio of the
    /// median rates.
    /// </summary>
    internal static async Task RunPairsAsync((string Name, Func<Task<int>> Run) baseline, (string Name, Func<Task<int>> Run) subject, int rows, int rounds, int warmupRounds, string target)
    {
        for (var i = 0; i < warmupRounds; i++)
        {
            await baseline.Run();
            await subject.Run();
        }

        var baselines = new List<double>();
        var subjects = new List<double>();
        var fractions = new List<double>();
        Console.WriteLine($"| Round | {baseline.Name} (rows/s) | {subject.Name} (rows/s) | Fraction |");
        Console.WriteLine("|---:|---:|---:|---:|");
        for (var round = 1; round <= rounds; round++)
        {
            double first, second;
            if (round % 2 == 1)
            {
                first = await RateAsync(baseline.Run, rows);
                second = await RateAsync(subject.Run, rows);
            }
            else
            {
                second = await RateAsync(subject.Run, rows);
                first = await RateAsync(baseline.Run, rows);
            }

            baselines.Add(first);
            subjects.Add(second);
            fractions.Add(second / first);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {round} | {first:N0} | {second:N0} | {second / first:P1} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Median fraction: {Quantile(fractions, 0.5):P1} (quartiles {Quantile(fractions, 0.25):P1} to {Quantile(fractions, 0.75):P1}, range {fractions.Min():P1} to {fractions.Max():P1}); target {target}."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Median rates: {subject.Name} {Quantile(subjects, 0.5):N0} rows/s, {baseline.Name} {Quantile(baselines, 0.5):N0} rows/s, ratio {Quantile(subjects, 0.5) / Quantile(baselines, 0.5):P1}."));
    }

    private static async Task<double> RateAsync(Func<Task<int>> run, int rows)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        var scored = await run();
        watch.Stop();
        if (scored != rows)
        {
            throw new InvalidOperationException($"{scored:N0} rows were scored, not {rows:N0}.");
        }

        return rows / watch.Elapsed.TotalSeconds;
    }

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        var position = (sorted.Count - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
