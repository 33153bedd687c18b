using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using AzureMl.Client.OnlineEndpoints;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// One online endpoint call (MLflow DataFrame in split orientation, 10 rows × 3 typed columns in, 10 row objects × 4
/// fields out) through <see cref="OnlineEndpointClient.ScoreAsync"/> against a hand-written <see cref="HttpClient"/> +
/// System.Text.Json (source-generated DTOs) call of the same request, both answered in memory with the same canned
/// body. Both read every output cell with its type (two integers, a string, a double), so both end with the same data
/// in hand; setup checks that they do.
/// </summary>
[Config(typeof(MicroConfig))]
public class OnlinePerCallOverheadBenchmarks
{
    private const int Rows = 10;
    private static readonly Uri ScoringUri = new("https://feature-hashing.westeurope.inference.ml.azure.com/score");
    private HttpClient _handWrittenHttp = null!;
    private HttpClient _clientHttp = null!;
    private OnlineEndpointClient _client = null!;
    private HandWrittenMlflowRequest _handWrittenRequest = null!;
    private ScoringTable _table = null!;

    [GlobalSetup]
    public void Setup()
    {
        var response = CannedAnswer(Rows);
        Console.WriteLine($"// Online per-call: {Rows} rows × 3 columns in, an answer of {response.Length:N0} bytes");
        _handWrittenHttp = new HttpClient(new DrainingCannedHandler(response));
        _handWrittenHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "benchmark-key");
        _handWrittenHttp.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _clientHttp = new HttpClient(new DrainingCannedHandler(response));
        _client = new OnlineEndpointClient(_clientHttp, new OnlineEndpointOptions { ScoringUri = ScoringUri, PrimaryKey = "benchmark-key" });

        var cells = Enumerable.Range(0, Rows).Select(i => new object?[] { i, "This is a good day " + i, 0.5 }).ToArray();
        _handWrittenRequest = new HandWrittenMlflowRequest
        {
            InputData = new HandWrittenDataFrame { Columns = ["Col1", "Col2", "Col3"], Index = [.. Enumerable.Range(0, Rows)], Data = cells },
        };
        _table = new ScoringTable("Col1", "Col2", "Col3");
        foreach (var row in cells)
        {
            _table.AddRow(row);
        }

        var ours = Client().GetAwaiter().GetResult();
        var theirs = HandWritten().GetAwaiter().GetResult();
        if (ours != theirs)
        {
            throw new InvalidOperationException($"The two calls read different cells: checksum {ours} vs {theirs}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _handWrittenHttp.Dispose();
        _clientHttp.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpClient + STJ (hand-written)")]
    public async Task<long> HandWritten()
    {
        using var content = JsonContent.Create(_handWrittenRequest, HandWrittenMlflowJsonContext.Default.HandWrittenMlflowRequest);
        using var response = await _handWrittenHttp.PostAsync(ScoringUri, content).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var predictions = await response.Content.ReadFromJsonAsync(HandWrittenMlflowJsonContext.Default.HandWrittenPredictionArray).ConfigureAwait(false);
        long sum = 0;
        foreach (var p in predictions!)
        {
            sum += p.Col1 + (p.Col2?.Length ?? 0) + p.ScoredLabels + (long)(p.ScoredProbabilities * 1e6);
        }

        return sum;
    }

    [Benchmark(Description = "OnlineEndpointClient.ScoreAsync")]
    public async Task<long> Client()
    {
        var output = await _client.ScoreAsync(_table).ConfigureAwait(false);
        long sum = 0;
        foreach (var row in output.Rows)
        {
            sum += row.GetInt32(0) + (row.GetString(1)?.Length ?? 0) + row.GetInt32(2) + (long)(row.GetDouble(3) * 1e6);
        }

        return sum;
    }

    /// <summary>An MLflow answer: one object per row, fields in the same order in every row.</summary>
    internal static byte[] CannedAnswer(int rows)
    {
        var json = new StringBuilder(16 + (rows * 100));
        json.Append('[');
        for (var r = 0; r < rows; r++)
        {
            json.Append(r == 0 ? "{" : ",{")
                .Append(CultureInfo.InvariantCulture, $"\"Col1\":{r},\"Col2\":\"This is a good day {r}\",\"Scored Labels\":{r % 2},\"Scored Probabilities\":{(0.5 + (r * 1e-5)).ToString("R", CultureInfo.InvariantCulture)}")
                .Append('}');
        }

        json.Append(']');
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
