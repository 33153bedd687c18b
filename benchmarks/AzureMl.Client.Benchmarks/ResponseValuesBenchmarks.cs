using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Reading the <c>Values</c> rows of a table answer (1, 100, 500 (a bulk batch) and 10,000 rows × 8 columns: four numeric, four text;
/// numbers as JSON numbers and as quoted text, as services send both): the parser's hand-written scan of plain rows
/// against the plain <see cref="System.Text.Json.Utf8JsonReader"/> token loop (the baseline), and the whole
/// <see cref="AzureMlClient.ExecuteAsync(ScoringTable, CancellationToken)"/> call over an in-memory handler, so the
/// difference can be read against the time of a call that does no network I/O at all.
/// </summary>
[Config(typeof(MicroConfig))]
public class ResponseValuesBenchmarks
{
    private byte[] _body = null!;
    private HttpClient _http = null!;
    private AzureMlClient _client = null!;
    private ScoringTable _input = null!;

    [Params(1, 100, 500, 10_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Answer(Rows);
        Console.WriteLine($"// Values: {Rows:N0} rows × 8 columns, {_body.Length:N0} bytes");

        // Both paths must read the same cells, or the comparison means nothing.
        var scanned = ScoringResponseParser.ParseTable(_body, fastValues: true).DefaultOutput;
        var read = ScoringResponseParser.ParseTable(_body, fastValues: false).DefaultOutput;
        if (scanned.RowCount != Rows || !Cells(scanned).SequenceEqual(Cells(read)))
        {
            throw new InvalidOperationException("The scanner and the reader read different cells.");
        }

        _http = new HttpClient(new CannedHandler(_body));
        _client = new AzureMlClient(_http, new AzureMlClientOptions
        {
            Endpoint = new Uri("http://scoring.test"),
            WorkspaceId = "0123456789abcdef0123456789abcdef",
            ServiceId = "fedcba9876543210fedcba9876543210",
        });
        _input = new ScoringTable("Col1").AddRow("1");
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "Utf8JsonReader token loop")]
    public int Reader() => ScoringResponseParser.ParseTable(_body, fastValues: false).DefaultOutput.RowCount;

    [Benchmark(Description = "Hand-written scanner")]
    public int Scanner() => ScoringResponseParser.ParseTable(_body, fastValues: true).DefaultOutput.RowCount;

    [Benchmark(Description = "ExecuteAsync (in-memory, whole call)")]
    public async Task<int> Execute() => (await _client.ExecuteAsync(_input).ConfigureAwait(false)).RowCount;

    /// <summary>A table answer with details, compact as the service writes it.</summary>
    internal static byte[] Answer(int rows)
    {
        var random = new Random(42);
        var json = new StringBuilder(128 + (rows * 160));
        json.Append("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["id","customer","age","segment","income","comment","Scored Labels","Scored Probabilities"],""");
        json.Append("\"ColumnTypes\":[\"Int64\",\"String\",\"Int32\",\"String\",\"Double\",\"String\",\"String\",\"Double\"],\"Values\":[");
        string[] segments = ["retail", "small business", "enterprise", "public sector"];
        for (var r = 0; r < rows; r++)
        {
            var p = random.NextDouble();
            json.Append(r == 0 ? "[" : ",[")
                .Append(CultureInfo.InvariantCulture, $"{100_000 + r},\"customer {random.Next(1_000_000):D6}\",\"{18 + random.Next(70)}\",")
                .Append(CultureInfo.InvariantCulture, $"\"{segments[random.Next(segments.Length)]}\",{random.Next(10_000, 250_000) + random.NextDouble():R},")
                .Append(CultureInfo.InvariantCulture, $"\"{(random.Next(4) == 0 ? "called twice about the invoice" : "ok")}\",\"{(p > 0.5 ? "churn" : "stay")}\",\"{p:R}\"]");
        }

        json.Append("]}}}}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static IEnumerable<string?> Cells(ScoringOutput output) =>
        output.Rows.SelectMany(r => Enumerable.Range(0, r.Count).Select(r.GetString));
}
