using System.Text.Json;
using System.Text.Json.Serialization;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.BulkScoring;

public sealed record HashInput([property: JsonPropertyName("Col2")] string Text);

public sealed record HashOutput(
    [property: JsonPropertyName("Col2_HashingFeature.0")] int F0,
    [property: JsonPropertyName("Col2_HashingFeature.1")] int F1,
    [property: JsonPropertyName("Col2_HashingFeature.2")] int F2);

[JsonSerializable(typeof(HashInput))]
[JsonSerializable(typeof(HashOutput))]
public sealed partial class OnlineBulkJsonContext : JsonSerializerContext;

/// <summary>
/// <c>ScoreBulkAsync</c> and typed rows on an online endpoint: through DI and the real handler chain, against a raw
/// scripted server (the wire shape, chunk sizing, 408) and the emulator's online endpoint (throttling, the model).
/// </summary>
public sealed class OnlineBulkScoringTests
{
    private const string Key = TestIds.EndpointPrimaryKey;
    private static readonly int[] GoodDay = [1, 1, 2, 2, 0, 2, 0, 1];

    private static ServiceProvider Build(string scoringUri, TimeProvider? time = null, string key = Key)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddAzureMlOnlineEndpoint(o =>
        {
            o.ScoringUri = new Uri(scoringUri);
            o.PrimaryKey = key;
        }).ConfigureResilience(o =>
        {
            o.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.MaxDelay = TimeSpan.FromMilliseconds(5);
            o.AttemptTimeout = TimeSpan.FromMinutes(10);
            o.TotalTimeout = TimeSpan.FromMinutes(30);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>A deployment that answers a bare array: each row's first cell times two.</summary>
    private static FakeAnswer Doubled(FakeCall request)
    {
        using var body = JsonDocument.Parse(request.Body);
        var data = body.RootElement.GetProperty("input_data").GetProperty("data");
        return new FakeAnswer(WireEnd.Answer, 200, "[" + string.Join(",", data.EnumerateArray().Select(r => (r[0].GetInt32() * 2).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]");
    }

    private static int Rows(FakeCall request)
    {
        using var body = JsonDocument.Parse(request.Body);
        return body.RootElement.GetProperty("input_data").GetProperty("data").GetArrayLength();
    }

    private static IEnumerable<IReadOnlyList<object?>> Numbered(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return [i, $"t{i}", i % 2 == 0];
        }
    }

    private static async Task<List<BulkScoringChunk<T>>> CollectAsync<T>(IAsyncEnumerable<BulkScoringChunk<T>> run)
    {
        var chunks = new List<BulkScoringChunk<T>>();
        await foreach (var chunk in run)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    [Fact]
    public async Task ScoreBulkAsync_Online_SendsMlflowChunksWithTypedCellsParamsAndDeploymentInOrder()
    {
        using var server = new FakeService(Transport.Socket).Answer(request => Doubled(request));
        using var sp = Build(server.Url + "/score");
        var client = sp.GetRequiredService<IOnlineEndpointClient>();
        var options = new BulkScoringOptions { ChunkSize = 10, MaxConcurrency = 4, OnlineScoring = new OnlineScoringOptions { Deployment = "blue" } };
        options.OnlineScoring.Parameters["top_k"] = 3;

        var chunks = await CollectAsync(client.ScoreBulkAsync(["n", "text", "flag"], Numbered(95), options));

        chunks.Select(c => c.FirstRow).Should().Equal(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);
        chunks.SelectMany(c => c.Results).Select(r => r.GetInt32("prediction")).Should().Equal(Enumerable.Range(0, 95).Select(i => i * 2));
        server.Received.Should().HaveCount(10);
        var first = server.Received.Single(r => r.Body.Contains("[0,\"t0\",true]", StringComparison.Ordinal));
        first.Body.Should().Be(
            """{"input_data":{"columns":["n","text","flag"],"data":[[0,"t0",true],[1,"t1",false],[2,"t2",true],[3,"t3",false],[4,"t4",true],[5,"t5",false],[6,"t6",true],[7,"t7",false],[8,"t8",true],[9,"t9",false]],"index":[0,1,2,3,4,5,6,7,8,9]},"params":{"top_k":3}}""");
        var last = server.Received.Single(r => r.Body.Contains("[90,", StringComparison.Ordinal));
        last.Body.Should().Contain("\"index\":[0,1,2,3,4]}", "each chunk is a table of its own");
        server.ReceivedHeads.Should().OnlyContain(h => h.Contains("azureml-model-deployment: blue", StringComparison.OrdinalIgnoreCase) && h.Contains("Authorization: Bearer " + Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScoreBulkAsync_Online_ChunkSizeFollowsTheTimePerRowToTheTarget()
    {
        // Each row takes 20 ms of the deployment's (fake) time, so a 1-second call holds 50 rows.
        var time = new FakeTimeProvider();
        using var server = new FakeService(Transport.Socket).Answer(request =>
        {
            time.Advance(TimeSpan.FromMilliseconds(20) * Rows(request));
            return Doubled(request);
        });
        using var sp = Build(server.Url + "/score", time);
        var client = sp.GetRequiredService<IOnlineEndpointClient>();

        var reports = new List<BulkScoringProgress>();
        var chunks = await CollectAsync(client.ScoreBulkAsync(["n", "text", "flag"], Numbered(1_000), new BulkScoringOptions { MaxConcurrency = 1, TargetCallDuration = TimeSpan.FromSeconds(1), Progress = new SyncProgress(reports) }));

        var sizes = chunks.Select(c => c.RowCount).ToList();
        sizes[0].Should().Be(16, "sizes start small before any call is timed: " + string.Join(",", sizes));
        sizes.Should().OnlyContain(s => s <= 50, "no call is sized past the target");
        sizes.Skip(1).SkipLast(1).Should().OnlyContain(s => s == 50,
            "until a size is timed the run reads no further ahead than the calls in flight (one here), so the second chunk already has the size that takes the target: " + string.Join(",", sizes));
        chunks.SelectMany(c => c.Results).Select(r => r.GetInt32("prediction")).Should().Equal(Enumerable.Range(0, 1_000).Select(i => i * 2));
        reports[0].ChunkSize.Should().Be(16);
        reports[^1].ChunkSize.Should().Be(50, "progress reports the size the run reads chunks with");
    }

    [Fact]
    public async Task ScoreBulkAsync_Online_FastAnswersGrowChunksAtMostEightfoldPerTimedAnswer()
    {
        // Answers take no time on the fake clock, so any size fits the target: growth is bounded by the rows timed.
        var time = new FakeTimeProvider();
        using var server = new FakeService(Transport.Socket).Answer(request => Doubled(request));
        using var sp = Build(server.Url + "/score", time);
        var client = sp.GetRequiredService<IOnlineEndpointClient>();

        var chunks = await CollectAsync(client.ScoreBulkAsync(["n", "text", "flag"], Numbered(3_000), new BulkScoringOptions { MaxConcurrency = 1 }));

        var sizes = chunks.Select(c => c.RowCount).ToList();
        // Timing decides how many chunks are read before an answer, never which sizes: 16, then 8 × 16, then ChunkSize.
        var steps = sizes.SkipLast(1).Distinct().ToList();
        sizes[0].Should().Be(16);
        steps.Should().Equal([16, 128, 500], "each size is at most eight times one answered before it: " + string.Join(",", sizes));
        sizes.SkipLast(1).Should().BeInAscendingOrder();
        sizes.Take(3).Should().Equal([16, 128, 500], "while sizes grow, no chunk waits in the window at an old size (one call in flight here)");
    }

    [Fact]
    public async Task ScoreBulkAsync_Online_408IsNotSentAgainAndLaterChunksAreSmaller()
    {
        // The first 64 rows time out at the endpoint; the rest are scored.
        using var server = new FakeService(Transport.Socket).Answer(request =>
        {
            using var body = JsonDocument.Parse(request.Body);
            return body.RootElement.GetProperty("input_data").GetProperty("data")[0][0].GetInt32() < 64
                ? new FakeAnswer(WireEnd.Answer, 408, """{"message": "Request timed out after request_timeout_ms"}""")
                : Doubled(request);
        });
        using var sp = Build(server.Url + "/score");
        var client = sp.GetRequiredService<IOnlineEndpointClient>();

        var chunks = await CollectAsync(client.ScoreBulkAsync(["n", "text", "flag"], Numbered(200), new BulkScoringOptions { MaxConcurrency = 1, ContinueOnChunkFailure = true }));

        var sizes = chunks.Select(c => c.RowCount).ToList();
        sizes[0].Should().Be(16);
        chunks.Where(c => c.FirstRow < 64).Should().OnlyContain(c => !c.Succeeded && c.Error!.ScoringError!.Status == 408);
        chunks.Where(c => c.FirstRow >= 64).Should().OnlyContain(c => c.Succeeded);
        server.Received.Should().HaveCount(chunks.Count, "the model may still be working on a timed-out chunk: none is sent again");
        // Sizes only halve while every answer is a 408, so some chunk starts at row 64; it was read after the first 408.
        chunks.Single(c => c.FirstRow == 64).RowCount.Should().BeLessThanOrEqualTo(8, "a 408 halves the chunks read after it: " + string.Join(",", sizes));
        chunks.Where(c => c.FirstRow >= 64).SelectMany(c => c.Results).Select(r => r.GetInt32("prediction")).Should().Equal(Enumerable.Range(64, 136).Select(i => i * 2));
    }

    [Fact]
    public async Task ScoreBulkAsync_OnlineEmulator_ThrottlingLowersConcurrencyAndEveryRowIsScoredInOrder()
    {
        // A model that takes a few milliseconds a row, so calls overlap at the endpoint.
        var model = EmulatedModel.Create([new EmulatedColumn("Col2")], [new EmulatedColumn("length", "Int32")], async (row, ct) =>
        {
            await Task.Delay(2, ct);
            return (IReadOnlyList<string?>)[row["Col2"]!.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        });
        var emulatorOptions = new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" };
        emulatorOptions.OnlineEndpoints.Clear();
        emulatorOptions.OnlineEndpoints.Add(EmulatedOnlineEndpoint.CreateDefault(model));
        await using var emulator = await AzureMlEmulator.StartAsync(emulatorOptions);
        using var sp = Build(emulator.OnlineScoringUri!.ToString(), key: emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName));
        var client = sp.GetRequiredService<IOnlineEndpointClient>();
        var reports = new List<BulkScoringProgress>();
        var texts = Enumerable.Range(0, 300).Select(i => new string('x', i % 17)).ToList();

        // The default deployment takes 2 calls in flight (2 × 1 per instance × 1 instance) and answers 429 above that.
        var chunks = await CollectAsync(client.ScoreBulkAsync(["Col2"], texts.Select(t => (IReadOnlyList<object?>)[t]), new BulkScoringOptions
        {
            ChunkSize = 10,
            MaxConcurrency = 8,
            ThrottleBackoff = TimeSpan.FromMilliseconds(1),
            MaxThrottleRetries = 1_000,
            Progress = new SyncProgress(reports),
        }));

        chunks.SelectMany(c => c.Results).Select(r => r.GetInt32("length")).Should().Equal(texts.Select(t => t.Length));
        lock (reports)
        {
            reports.Should().Contain(r => r.ThrottlingWaits > 0, "the endpoint throttled the run");
            reports.Min(r => r.Concurrency).Should().BeLessThanOrEqualTo(2, "each 429 halves the run's concurrency");
            reports.Max(r => r.RowsScored).Should().Be(300);
        }
    }

    [Fact]
    public async Task ScoreBulkAsync_OnlineEmulatorTypedRows_RecordsInAndOut()
    {
        await using var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" });
        using var sp = Build(emulator.OnlineScoringUri!.ToString(), key: emulator.GetOnlineEndpointKey(EmulatedOnlineEndpoint.DefaultName));
        var client = sp.GetRequiredService<IOnlineEndpointClient>();
        var inputs = Enumerable.Range(0, 40).Select(i => new HashInput(i % 2 == 0 ? "This is a good day" : $"other {i}")).ToList();

        var results = new List<HashOutput>();
        await foreach (var chunk in client.ScoreBulkAsync(inputs, OnlineBulkJsonContext.Default.HashInput, OnlineBulkJsonContext.Default.HashOutput, new BulkScoringOptions { ChunkSize = 7, MaxConcurrency = 2 }))
        {
            results.AddRange(chunk.Results);
        }

        var few = await client.ScoreAsync(inputs.Take(2), OnlineBulkJsonContext.Default.HashInput, OnlineBulkJsonContext.Default.HashOutput);

        results.Should().HaveCount(40);
        results.Where((_, i) => i % 2 == 0).Should().OnlyContain(r => r == new HashOutput(1, 1, 2));
        few[0].Should().Be(new HashOutput(1, 1, 2));
        few.Should().HaveCount(2);
    }

    [Fact]
    public async Task ScoreBulkAsync_OnlineTestDouble_OneScoreAsyncPerChunkWithTheRunsOptions()
    {
        var fake = new RecordingOnlineClient();
        var options = new BulkScoringOptions { ChunkSize = 4, OnlineScoring = new OnlineScoringOptions { Deployment = "green" } };

        var chunks = await CollectAsync(fake.ScoreBulkAsync(["n", "text", "flag"], Numbered(10), options));

        fake.Tables.Select(t => t.Rows.Count).Should().Equal(4, 4, 2);
        fake.Options.Should().OnlyContain(o => o == options.OnlineScoring);
        chunks.SelectMany(c => c.Results).Select(r => r.GetString(0)).Should().Equal(Enumerable.Range(0, 10).Select(i => $"t{i}"));
    }

    [Fact]
    public async Task ScoreBulkAsync_ClassicSettingsOnAnOnlineEndpoint_RefusedBeforeAnyCall()
    {
        var fake = new RecordingOnlineClient();
        var options = new BulkScoringOptions();
        options.GlobalParameters["threshold"] = "0.5";

        var act = () => CollectAsync(fake.ScoreBulkAsync(["n"], [[1]], options));

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("OnlineScoring.Parameters");
        fake.Tables.Should().BeEmpty();

        var badDeployment = () => CollectAsync(fake.ScoreBulkAsync(["n"], [[1]], new BulkScoringOptions { OnlineScoring = new OnlineScoringOptions { Deployment = "no spaces allowed" } }));
        (await badDeployment.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Deployment");
    }

    [Fact]
    public async Task ScoreBulkAsync_OnlineSettingsOnTheClassicService_RefusedBeforeAnyCall()
    {
        await using var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" });
        using var service = FakeService.OfEmulator(emulator);
        var client = service.CreateClient();

        var act = () => CollectAsync(client.ScoreBulkAsync(["Col2"], [["x"]], new BulkScoringOptions { OnlineScoring = new OnlineScoringOptions() }));

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("GlobalParameters");
        emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(0);
    }

    private sealed class SyncProgress(List<BulkScoringProgress> reports) : IProgress<BulkScoringProgress>
    {
        public void Report(BulkScoringProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }

    private sealed class RecordingOnlineClient : IOnlineEndpointClient
    {
        public List<ScoringTable> Tables { get; } = [];

        public List<OnlineScoringOptions?> Options { get; } = [];

        public Uri ScoringUri { get; } = new("https://fake.westeurope.inference.ml.azure.com/score");

        public Task<ScoringOutput> ScoreAsync(ScoringTable input, OnlineScoringOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (Tables)
            {
                Tables.Add(input);
                Options.Add(options);
            }

            // Echoes the text column as the one output column.
            return Task.FromResult(new ScoringOutput("output1", null, ["text"], null, input.Rows.Select(r => (IReadOnlyList<string?>)[r[1]])));
        }

        public Task<JsonElement> ScoreJsonAsync(ReadOnlyMemory<byte> body, OnlineScoringOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
