using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AzureMl.Emulator;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// Scoring many rows against the emulator on loopback (feature hashing model, 20 concurrent calls per endpoint).
/// Every benchmark reports time per row (OperationsPerInvoke is its row count), so Ratio and Rows/s compare rates
/// even though the one-row-per-call baseline scores fewer rows. The ceiling sends pre-built 500-row bodies on 20
/// connections at once and only drains the answers as they arrive (nothing buffered, nothing parsed): the most the
/// emulator can score on this machine.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class BulkThroughputBenchmarks
{
    public const int BulkRows = 100_000;
    public const int OneByOneRows = 2_000;
    public const int QuickRows = 1_000;
    private const int IdealBatch = 500;
    private const int EndpointConcurrency = 20;

    private readonly bool _pinned;
    private AzureMlEmulator? _emulator;
    private PinnedEmulatorProcess? _process;
    private HttpClient _http = null!;
    private AzureMlClient _client = null!;
    private string?[][] _rows = null!;
    private byte[][] _idealBodies = null!;
    private Uri _executeUri = null!;
    private string _apiKey = null!;

    /// <summary>The emulator in its own process pinned to CPU 0 where that can be done (see <see cref="Hosting"/>).</summary>
    public BulkThroughputBenchmarks()
        : this(pinned: !BenchmarkSettings.SharedCores && PinnedEmulatorProcess.IsSupported)
    {
    }

    /// <param name="pinned">The emulator in its own process pinned to CPU 0; otherwise in this process, sharing every core with the client.</param>
    public BulkThroughputBenchmarks(bool pinned) => _pinned = pinned;

    /// <summary>Where the emulator runs, for reports.</summary>
    public string Hosting => DescribeHosting(_pinned);

    /// <summary>The rows every bulk benchmark scores: one text column of short book reviews.</summary>
    internal static string?[][] Reviews(int count) => Enumerable.Range(0, count)
        .Select(i => new string?[] { $"review {i.ToString(CultureInfo.InvariantCulture)}: this book was {(i % 3 == 0 ? "great" : "dull")}" })
        .ToArray();

    /// <summary>Where a bulk benchmark's emulator runs, for reports.</summary>
    internal static string DescribeHosting(bool pinned) => pinned
        ? "emulator in its own process pinned to CPU 0 (taskset); client in this process"
        : "emulator in this process, sharing every core with the client";

    /// <summary>The in-process emulator (null when it runs in its own process).</summary>
    internal AzureMlEmulator? Emulator => _emulator;

    private static int Bulk => BenchmarkSettings.Quick ? QuickRows : BulkRows;

    private static int OneByOne => BenchmarkSettings.Quick ? QuickRows / 10 : OneByOneRows;

    [GlobalSetup]
    public async Task Setup()
    {
        Uri root;
        string workspace, service, serviceUri;
        if (_pinned)
        {
            _process = await PinnedEmulatorProcess.StartAsync(EndpointConcurrency);
            (root, workspace, service, _apiKey, serviceUri) = (_process.ServiceRoot, PinnedEmulatorProcess.WorkspaceId, PinnedEmulatorProcess.ServiceId, PinnedEmulatorProcess.ApiKey, _process.ServiceUri);
        }
        else
        {
            _emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
            {
                StorageConnectionString = "UseDevelopmentStorage=true",
                MaxConcurrentRequests = EndpointConcurrency,
            });
            (root, workspace, service, _apiKey, serviceUri) = (_emulator.ServiceRoot, _emulator.WorkspaceId, _emulator.ServiceId, _emulator.ApiKey, _emulator.ServiceUri.ToString());
        }

        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        _client = new AzureMlClient(_http, new AzureMlClientOptions
        {
            Endpoint = root,
            WorkspaceId = workspace,
            ServiceId = service,
            ApiKey = _apiKey,
        });
        _rows = Reviews(BulkRows);
        _idealBodies = _rows.Take(Bulk).Chunk(IdealBatch).Select(BodyOf).ToArray();
        _executeUri = new Uri(serviceUri.TrimEnd('/') + "/execute?api-version=2.0&details=true");
        Console.WriteLine("// Bulk throughput hosting: " + Hosting);
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

    [Benchmark(Baseline = true, OperationsPerInvoke = OneByOneRows, Description = "One row per call, sequential (sample code)")]
    public async Task<int> OneRowPerCall()
    {
        var scored = 0;
        for (var i = 0; i < OneByOne; i++)
        {
            var output = await _client.ExecuteAsync(new ScoringTable("Col2").AddRow(_rows[i])).ConfigureAwait(false);
            scored += output.RowCount;
        }

        return scored;
    }

    [Benchmark(OperationsPerInvoke = BulkRows, Description = "500-row batches, one call at a time")]
    public async Task<int> SingleThreadedBatcher()
    {
        var scored = 0;
        foreach (var chunk in _rows.Take(Bulk).Chunk(IdealBatch))
        {
            var table = new ScoringTable("Col2");
            foreach (var row in chunk)
            {
                table.AddRow(row);
            }

            scored += (await _client.ExecuteAsync(table).ConfigureAwait(false)).RowCount;
        }

        return scored;
    }

    [Benchmark(OperationsPerInvoke = BulkRows, Description = "ScoreBulkAsync (defaults: 500 rows, 16 in flight)")]
    public Task<int> BulkScoring() => ScoreBulk(null);

    // The same number of calls in flight as the ceiling: what a caller who owns the endpoint's whole limit gets.
    [Benchmark(OperationsPerInvoke = BulkRows, Description = "ScoreBulkAsync (500 rows, 20 in flight = endpoint limit)")]
    public Task<int> BulkScoringAtEndpointLimit() => ScoreBulk(new BulkScoringOptions { MaxConcurrency = EndpointConcurrency });

    /// <summary>Scores the run's rows through <paramref name="client"/>, checking that batches come back in input order, whole.</summary>
    internal async Task<int> ScoreBulkInOrder(IAzureMlClient client, BulkScoringOptions? options)
    {
        var scored = 0;
        await foreach (var batch in client.ScoreBulkAsync(["Col2"], _rows.Take(Bulk), options).ConfigureAwait(false))
        {
            if (batch.FirstRow != scored || batch.Results.Count != batch.RowCount)
            {
                throw new InvalidOperationException($"Batch at row {batch.FirstRow} ({batch.Results.Count} of {batch.RowCount} rows) came after {scored} rows.");
            }

            scored += batch.Results.Count;
        }

        return scored;
    }

    private async Task<int> ScoreBulk(BulkScoringOptions? options)
    {
        var scored = 0;
        await foreach (var batch in _client.ScoreBulkAsync(["Col2"], _rows.Take(Bulk), options).ConfigureAwait(false))
        {
            scored += batch.Results.Count;
        }

        return scored;
    }

    [Benchmark(OperationsPerInvoke = BulkRows, Description = "Emulator ceiling (raw 500-row bodies, 20 in flight)")]
    public async Task<int> EmulatorCeiling()
    {
        var next = -1;
        var workers = Enumerable.Range(0, EndpointConcurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < _idealBodies.Length)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _executeUri) { Content = new ByteArrayContent(_idealBodies[i]) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                await response.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
        return Bulk;
    }

    internal static byte[] BodyOf(string?[][] rows)
    {
        var json = new StringBuilder("""{"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[""");
        for (var i = 0; i < rows.Length; i++)
        {
            json.Append(i == 0 ? "[\"" : ",[\"").Append(rows[i][0]).Append("\"]");
        }

        json.Append("]}},\"GlobalParameters\":{}}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
