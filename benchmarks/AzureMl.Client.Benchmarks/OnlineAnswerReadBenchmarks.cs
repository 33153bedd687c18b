using System.Text.Json;
using AzureMl.Client.OnlineEndpoints;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Reading an MLflow answer (one object per row, 4 fields) into a <see cref="ScoringOutput"/>, the online client's
/// parse, against a hand-written System.Text.Json (source-generated) DTO read of the same bytes; both read every cell
/// with its type. 10 rows (the per-call benchmark's answer) and 500 (a bulk chunk). Shows how much of an online
/// call's time and allocations the parse is. Later answers of a deployment are read with its columns known: by the
/// records scan, or (to measure the scan in the same run) by the reader alone.
/// </summary>
[Config(typeof(MicroConfig))]
public class OnlineAnswerReadBenchmarks
{
    private byte[] _answer = null!;
    private AnswerColumns? _known;

    [Params(10, 500)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _answer = OnlinePerCallOverheadBenchmarks.CannedAnswer(Rows);
        MlflowPayload.Read(_answer, OnlineEndpointOptions.DefaultSingleColumnName, null, out _known);
        if (HandWritten() != Parser() || Parser() != KnownColumns() || Parser() != KnownColumnsReaderOnly())
        {
            throw new InvalidOperationException("The two reads gave different cells.");
        }
    }

    [Benchmark(Baseline = true, Description = "STJ DTO read (hand-written)")]
    public long HandWritten()
    {
        long sum = 0;
        foreach (var p in JsonSerializer.Deserialize(_answer, HandWrittenMlflowJsonContext.Default.HandWrittenPredictionArray)!)
        {
            sum += p.Col1 + (p.Col2?.Length ?? 0) + p.ScoredLabels + (long)(p.ScoredProbabilities * 1e6);
        }

        return sum;
    }

    [Benchmark(Description = "Online client's answer parse (MlflowPayload.Read), first answer")]
    public long Parser() => Sum(MlflowPayload.Read(_answer, OnlineEndpointOptions.DefaultSingleColumnName));

    [Benchmark(Description = "Online client's parse, columns known (as it reads later answers)")]
    public long KnownColumns() => Sum(MlflowPayload.Read(_answer, OnlineEndpointOptions.DefaultSingleColumnName, _known, out _));

    [Benchmark(Description = "Online client's parse, columns known, reader only (records scan off)")]
    public long KnownColumnsReaderOnly() => Sum(MlflowPayload.Read(_answer, OnlineEndpointOptions.DefaultSingleColumnName, _known, out _, scanRecords: false));

    private static long Sum(ScoringOutput output)
    {
        long sum = 0;
        foreach (var row in output.Rows)
        {
            sum += row.GetInt32(0) + (row.GetString(1)?.Length ?? 0) + row.GetInt32(2) + (long)(row.GetDouble(3) * 1e6);
        }

        return sum;
    }
}
