using System.Globalization;
using System.Net.Http.Headers;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Emulator;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// The client's own work per row in online bulk scoring: 100,000 rows through online <c>ScoreBulkAsync</c> in 500-row
/// chunks (<c>MinChunkSize = ChunkSize = 500</c>, so every chunk matches the canned answer), answered in memory with
/// the emulator's real answer to a 500-row MLflow call (captured once at setup). Baseline: the client side of the
/// online ceiling (pre-built bodies sent, answers drained unparsed). The classic <c>ScoreBulkAsync</c> on its own
/// captured 500-row answer is measured in the same run for reference. With the service on its own core, this is the
/// CPU the client needs per row beside it; on shared cores it is taken from the service.
/// </summary>
[Config(typeof(InMemoryThroughputConfig))]
public class OnlineBulkClientCpuBenchmarks
{
    private const int Chunk = 500;
    private static readonly Uri ScoringUri = new("https://feature-hashing.westeurope.inference.ml.azure.com/score");
    private HttpClient _onlineHttp = null!;
    private HttpClient _classicHttp = null!;
    private OnlineEndpointClient _online = null!;
    private AzureMlClient _classic = null!;
    private string?[][] _rows = null!;
    private byte[][] _bodies = null!;

    private static int Rows => BenchmarkSettings.Quick ? BulkThroughputBenchmarks.QuickRows : BulkThroughputBenchmarks.BulkRows;

    [GlobalSetup]
    public async Task Setup()
    {
        _rows = BulkThroughputBenchmarks.Reviews(BulkThroughputBenchmarks.BulkRows);
        _bodies = _rows.Take(Rows).Chunk(Chunk).Select(OnlineBulkThroughputBenchmarks.BodyOf).ToArray();

        byte[] onlineAnswer, classicAnswer;
        await using (var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" }))
        using (var http = new HttpClient())
        {
            onlineAnswer = await PostAsync(http, emulator.GetOnlineScoringUri(EmulatedOnlineEndpoint.DefaultName), emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName), _bodies[0]);
            classicAnswer = await PostAsync(http, new Uri(emulator.ServiceUri + "/execute?api-version=2.0&details=true"), emulator.ApiKey, BulkThroughputBenchmarks.BodyOf(_rows[..Chunk]));
        }

        _onlineHttp = new HttpClient(new DrainingCannedHandler(onlineAnswer));
        _online = new OnlineEndpointClient(_onlineHttp, new OnlineEndpointOptions { ScoringUri = ScoringUri, PrimaryKey = "benchmark-key" });
        _classicHttp = new HttpClient(new DrainingCannedHandler(classicAnswer));
        _classic = new AzureMlClient(_classicHttp, new AzureMlClientOptions
        {
            Endpoint = new Uri("http://scoring.test"),
            WorkspaceId = "0123456789abcdef0123456789abcdef",
            ServiceId = "fedcba9876543210fedcba9876543210",
            ApiKey = "benchmark-key",
        });
        Console.WriteLine($"// Online bulk client CPU: captured 500-row answers of {onlineAnswer.Length:N0} bytes (online) and {classicAnswer.Length:N0} bytes (classic)");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onlineHttp.Dispose();
        _classicHttp.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "Raw pre-built MLflow bodies, answers drained (online ceiling's client side)")]
    public async Task<int> Raw()
    {
        var sent = 0;
        foreach (var body in _bodies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ScoringUri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "benchmark-key");
            using var response = await _onlineHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await response.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
            sent++;
        }

        return sent;
    }

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "Online ScoreBulkAsync (500-row chunks), in memory")]
    public async Task<int> OnlineBulk()
    {
        var scored = 0;
        var options = new BulkScoringOptions { MinChunkSize = Chunk, ChunkSize = Chunk };
        await foreach (var chunk in _online.ScoreBulkAsync(["Col2"], _rows.Take(Rows), options).ConfigureAwait(false))
        {
            scored += chunk.Results.Count;
        }

        return scored;
    }

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "Classic ScoreBulkAsync (defaults), in memory (reference)")]
    public async Task<int> ClassicBulk()
    {
        var scored = 0;
        await foreach (var batch in _classic.ScoreBulkAsync(["Col2"], _rows.Take(Rows)).ConfigureAwait(false))
        {
            scored += batch.Results.Count;
        }

        return scored;
    }

    private static async Task<byte[]> PostAsync(HttpClient http, Uri uri, string key, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }
}
