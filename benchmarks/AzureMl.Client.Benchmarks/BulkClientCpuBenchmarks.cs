using System.Globalization;
using System.Net.Http.Headers;
using AzureMl.Emulator;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// The client's own CPU per row in bulk scoring: the same 100,000 rows as <see cref="BulkThroughputBenchmarks"/>,
/// answered in memory with the emulator's real answer to a 500-row call (captured once at setup), so no service
/// work is in the figures. Baseline: what the emulator ceiling spends on the client side (a pre-built body sent,
/// the answer drained unparsed). Every request body is written out, as to a socket. Time per row.
/// </summary>
[Config(typeof(InMemoryThroughputConfig))]
public class BulkClientCpuBenchmarks
{
    private const int Batch = 500;
    private static readonly Uri ExecuteUri = new("http://scoring.test/workspaces/0123456789abcdef0123456789abcdef/services/fedcba9876543210fedcba9876543210/execute?api-version=2.0&details=true");
    private HttpClient _http = null!;
    private AzureMlClient _client = null!;
    private string?[][] _rows = null!;
    private byte[][] _bodies = null!;

    private static int Rows => BenchmarkSettings.Quick ? BulkThroughputBenchmarks.QuickRows : BulkThroughputBenchmarks.BulkRows;

    [GlobalSetup]
    public async Task Setup()
    {
        _rows = BulkThroughputBenchmarks.Reviews(BulkThroughputBenchmarks.BulkRows);
        _bodies = _rows.Take(Rows).Chunk(Batch).Select(BulkThroughputBenchmarks.BodyOf).ToArray();

        byte[] answer;
        await using (var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" }))
        using (var http = new HttpClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, emulator.ServiceUri + "/execute?api-version=2.0&details=true")
            {
                Content = new ByteArrayContent(_bodies[0]),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", emulator.ApiKey);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            answer = await response.Content.ReadAsByteArrayAsync();
        }

        _http = new HttpClient(new DrainingCannedHandler(answer));
        _client = new AzureMlClient(_http, new AzureMlClientOptions
        {
            Endpoint = new Uri("http://scoring.test"),
            WorkspaceId = "0123456789abcdef0123456789abcdef",
            ServiceId = "fedcba9876543210fedcba9876543210",
            ApiKey = "benchmark-key",
        });
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "Raw pre-built bodies, answers drained (ceiling's client side)")]
    public async Task<int> Raw()
    {
        var sent = 0;
        foreach (var body in _bodies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ExecuteUri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "benchmark-key");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await response.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
            sent++;
        }

        return sent;
    }

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "ScoreBulkAsync (defaults), in memory")]
    public async Task<int> BulkScoring()
    {
        var scored = 0;
        await foreach (var batch in _client.ScoreBulkAsync(["Col2"], _rows.Take(Rows)).ConfigureAwait(false))
        {
            scored += batch.Results.Count;
        }

        return scored;
    }
}
