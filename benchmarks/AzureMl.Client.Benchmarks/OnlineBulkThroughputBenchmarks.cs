using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Emulator;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Scoring many rows against the emulator's online endpoint on loopback (feature hashing model as an MLflow
/// deployment; 10 concurrent requests per instance, one instance, so the endpoint answers 429 only beyond 20 in
/// flight). Every benchmark reports time per row (OperationsPerInvoke is its row count), so Ratio and Rows/s compare
/// rates even though the one-row-per-call baseline scores fewer rows. The ceiling sends pre-built 500-row MLflow
/// bodies with 16 calls in flight (bulk scoring's default concurrency) and only drains the answers as they arrive:
/// the most the emulated endpoint can score at that concurrency on this machine.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class OnlineBulkThroughputBenchmarks
{
    private const int IdealChunk = 500;
    private const int InFlight = 16;
    private const int PerInstance = 10;

    private readonly bool _pinned;
    private AzureMlEmulator? _emulator;
    private PinnedEmulatorProcess? _process;
    private HttpClient _http = null!;
    private OnlineEndpointClient _client = null!;
    private string?[][] _rows = null!;
    private byte[][] _idealBodies = null!;
    private Uri _scoringUri = null!;
    private string _key = null!;
    private volatile AnswerColumns? _known;

    /// <summary>The emulator in its own process pinned to CPU 0 where that can be done (see <see cref="Hosting"/>).</summary>
    public OnlineBulkThroughputBenchmarks()
        : this(pinned: !BenchmarkSettings.SharedCores && PinnedEmulatorProcess.IsSupported)
    {
    }

    /// <param name="pinned">The emulator in its own process pinned to CPU 0; otherwise in this process, sharing every core with the client.</param>
    public OnlineBulkThroughputBenchmarks(bool pinned) => _pinned = pinned;

    /// <summary>Where the emulator runs, for reports.</summary>
    public string Hosting => BulkThroughputBenchmarks.DescribeHosting(_pinned);

    private static int Bulk => BenchmarkSettings.Quick ? BulkThroughputBenchmarks.QuickRows : BulkThroughputBenchmarks.BulkRows;

    private static int OneByOne => BenchmarkSettings.Quick ? BulkThroughputBenchmarks.QuickRows / 10 : BulkThroughputBenchmarks.OneByOneRows;

    [GlobalSetup]
    public async Task Setup()
    {
        if (_pinned)
        {
            _process = await PinnedEmulatorProcess.StartAsync(maxConcurrentRequests: 20, onlineMaxConcurrentRequestsPerInstance: PerInstance);
            (_scoringUri, _key) = (_process.OnlineScoringUri, PinnedEmulatorProcess.OnlineKey);
        }
        else
        {
            var endpoint = EmulatedOnlineEndpoint.CreateDefault();
            endpoint.Deployments[0].MaxConcurrentRequestsPerInstance = PerInstance;
            var options = new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" };
            options.OnlineEndpoints.Clear();
            options.OnlineEndpoints.Add(endpoint);
            _emulator = await AzureMlEmulator.StartAsync(options);
            (_scoringUri, _key) = (_emulator.GetOnlineScoringUri(EmulatedOnlineEndpoint.DefaultName), _emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName));
        }

        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        _client = new OnlineEndpointClient(_http, new OnlineEndpointOptions { ScoringUri = _scoringUri, PrimaryKey = _key });
        _rows = BulkThroughputBenchmarks.Reviews(BulkThroughputBenchmarks.BulkRows);
        _idealBodies = _rows.Take(Bulk).Chunk(IdealChunk).Select(BodyOf).ToArray();
        Console.WriteLine("// Online bulk throughput hosting: " + Hosting);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BulkThroughputBenchmarks.OneByOneRows, Description = "One row per call, sequential (online)")]
    public async Task<int> OneRowPerCall()
    {
        var scored = 0;
        for (var i = 0; i < OneByOne; i++)
        {
            var output = await _client.ScoreAsync(new ScoringTable("Col2").AddRow(_rows[i])).ConfigureAwait(false);
            scored += output.RowCount;
        }

        return scored;
    }

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "ScoreBulkAsync, online (defaults: adaptive chunks up to 500 rows, 16 in flight)")]
    public async Task<int> BulkScoring()
    {
        var scored = 0;
        await foreach (var chunk in _client.ScoreBulkAsync(["Col2"], _rows.Take(Bulk)).ConfigureAwait(false))
        {
            if (chunk.FirstRow != scored || chunk.Results.Count != chunk.RowCount)
            {
                throw new InvalidOperationException($"Chunk at row {chunk.FirstRow} ({chunk.Results.Count} of {chunk.RowCount} rows) came after {scored} rows.");
            }

            scored += chunk.Results.Count;
        }

        return scored;
    }

    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "Online endpoint ceiling (raw 500-row MLflow bodies, 16 in flight)")]
    public async Task<int> EndpointCeiling()
    {
        await SendIdealBodiesAsync(async response =>
        {
            await response.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        return Bulk;
    }

    // The ceiling with each answer read into a ScoringOutput by the client's own parser: what the parse alone costs
    // the run, with no chunking, ordering or retries, at the same concurrency.
    [Benchmark(OperationsPerInvoke = BulkThroughputBenchmarks.BulkRows, Description = "Ceiling, each answer parsed by the online client's parser")]
    public Task<int> EndpointCeilingParsed() => SendIdealBodiesAsync(async response =>
    {
        // As the client reads them: with the columns of an earlier answer known.
        var output = MlflowPayload.Read(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false), OnlineEndpointOptions.DefaultSingleColumnName, _known, out var seen);
        _known = seen;
        return output.RowCount;
    });

    /// <summary>Sends the pre-built bodies raw, <see cref="InFlight"/> at a time; returns the sum of what <paramref name="read"/> makes of the answers.</summary>
    private async Task<int> SendIdealBodiesAsync(Func<HttpResponseMessage, Task<int>> read)
    {
        var next = -1;
        var total = 0;
        var workers = Enumerable.Range(0, InFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < _idealBodies.Length)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _scoringUri) { Content = new ByteArrayContent(_idealBodies[i]) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                Interlocked.Add(ref total, await read(response).ConfigureAwait(false));
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
        return total;
    }

    /// <summary>An MLflow DataFrame body in split orientation, as the client writes it.</summary>
    internal static byte[] BodyOf(string?[][] rows)
    {
        var json = new StringBuilder("""{"input_data":{"columns":["Col2"],"data":[""");
        for (var i = 0; i < rows.Length; i++)
        {
            json.Append(i == 0 ? "[\"" : ",[\"").Append(rows[i][0]).Append("\"]");
        }

        json.Append("],\"index\":[");
        json.AppendJoin(',', Enumerable.Range(0, rows.Length));
        json.Append("]}}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
