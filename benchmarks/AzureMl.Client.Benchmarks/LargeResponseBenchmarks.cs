using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Parsing a large scoring response (50,000 rows × 9 columns with details): our parser on the body bytes, and the
/// whole <see cref="AzureMlClient.ExecuteAsync(ScoringTable, CancellationToken)"/> path over an in-memory handler,
/// against a hand-written System.Text.Json (source-generated) read of the same body. Alloc/Body is allocated bytes
/// over the body's size.
/// </summary>
[Config(typeof(LargeResponseBenchmarks.LargeConfig))]
public class LargeResponseBenchmarks
{
    private static long s_bodyBytes;
    private byte[] _body = null!;
    private HttpClient _handWrittenHttp = null!;
    private HttpClient _clientHttp = null!;
    private AzureMlClient _client = null!;
    private ScoringTable _input = null!;

    public static int Rows => BenchmarkSettings.Quick ? 1_000 : 50_000;

    [GlobalSetup]
    public void Setup()
    {
        _body = PerCallOverheadBenchmarks.CannedResponse(Rows, columns: 9);
        s_bodyBytes = _body.Length;
        Console.WriteLine($"// Large response: {Rows:N0} rows × 9 columns, {_body.Length:N0} bytes");
        _handWrittenHttp = new HttpClient(new CannedHandler(_body));
        _clientHttp = new HttpClient(new CannedHandler(_body));
        _client = new AzureMlClient(_clientHttp, new AzureMlClientOptions
        {
            Endpoint = new Uri("http://scoring.test"),
            WorkspaceId = "0123456789abcdef0123456789abcdef",
            ServiceId = "fedcba9876543210fedcba9876543210",
        });
        _input = new ScoringTable("Col1").AddRow("1");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _handWrittenHttp.Dispose();
        _clientHttp.Dispose();
    }

    [Benchmark(Baseline = true, Description = "STJ DTO read (hand-written)")]
    public async Task<int> HandWritten()
    {
        using var response = await _handWrittenHttp.GetAsync(new Uri("http://scoring.test/execute")).ConfigureAwait(false);
        var result = await response.Content.ReadFromJsonAsync(HandWrittenJsonContext.Default.HandWrittenResponse).ConfigureAwait(false);
        return result!.Results["output1"].Value.Values.Length;
    }

    [Benchmark(Description = "ScoringResponseParser.ParseTable")]
    public int Parse() => ScoringResponseParser.ParseTable(_body).DefaultOutput.RowCount;

    [Benchmark(Description = "AzureMlClient.ExecuteAsync (in-memory)")]
    public async Task<int> Execute() => (await _client.ExecuteAsync(_input).ConfigureAwait(false)).RowCount;

    public sealed class LargeConfig : ManualConfig
    {
        public LargeConfig()
        {
            Add(new MicroConfig());
            AddColumn(new AllocatedPerBodyByteColumn(() => s_bodyBytes));
        }
    }
}
