using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AzureMl.Client.Benchmarks;

/// <summary>Run settings shared by the benchmarks; <see cref="Quick"/> is set from <c>--quick</c>.</summary>
public static class BenchmarkSettings
{
    public static bool Quick { get; set; }

    /// <summary>
    /// From <c>--shared-cores</c>: the bulk throughput benchmarks run the emulator in this process, sharing every core
    /// with the client, instead of in a process of its own pinned to CPU 0.
    /// </summary>
    public static bool SharedCores { get; set; }

    /// <summary>
    /// Benchmarks run in the host process: the emulator they call runs there too, and no per-benchmark project is
    /// built, which keeps a run short on a small machine.
    /// </summary>
    public static Job Base(string id) => Quick
        ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId(id + "-quick")
        : Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId(id);
}

/// <summary>Micro benchmarks: many short invocations.</summary>
public sealed class MicroConfig : ManualConfig
{
    public MicroConfig()
    {
        AddJob(BenchmarkSettings.Quick
            ? BenchmarkSettings.Base("micro")
            : BenchmarkSettings.Base("micro").WithWarmupCount(5).WithIterationCount(15));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Rows-per-second benchmarks: one invocation per iteration (each scores many rows), monitored rather than
/// pilot-tuned, with allocations and a Rows/s column.
/// </summary>
public abstract class RowsConfig : ManualConfig
{
    protected RowsConfig(string id, int warmupCount, int iterationCount)
    {
        AddJob(BenchmarkSettings.Quick
            ? BenchmarkSettings.Base(id)
            : BenchmarkSettings.Base(id).WithStrategy(RunStrategy.Monitoring).WithWarmupCount(warmupCount).WithIterationCount(iterationCount)
                .WithInvocationCount(1).WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new RowsPerSecondColumn());
    }
}

/// <summary>
/// Throughput benchmarks: each invocation scores many rows over loopback. Six warm-up iterations let tiered
/// compilation reach its final code in this (client) process before the twenty that are measured.
/// </summary>
public sealed class ThroughputConfig() : RowsConfig("throughput", warmupCount: 6, iterationCount: 20);

/// <summary>
/// In-memory throughput: an invocation takes milliseconds, so forty warm-up iterations are needed before tiered
/// compilation has moved the client's code to its final tier; thirty are measured.
/// </summary>
public sealed class InMemoryThroughputConfig() : RowsConfig("in-memory", warmupCount: 40, iterationCount: 30);
