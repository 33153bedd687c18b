using System.Globalization;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.BulkScoring;

public sealed class BulkScoringTests
{
    private static readonly string[] Columns = ["Id", "Text"];

    private static IEnumerable<IReadOnlyList<object?>> Rows(int count, int textLength = 4)
    {
        var text = new string('x', textLength);
        for (var i = 0; i < count; i++)
        {
            yield return new object?[] { i, text };
        }
    }

    private static async Task<List<BulkScoringChunk<ScoringRow>>> CollectAsync(IAsyncEnumerable<BulkScoringChunk<ScoringRow>> run)
    {
        var chunks = new List<BulkScoringChunk<ScoringRow>>();
        await foreach (var chunk in run)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    private static async Task RandomHopsAsync(Random random, int max)
    {
        int hops;
        lock (random)
        {
            hops = random.Next(max);
        }

        for (var i = 0; i < hops; i++)
        {
            await Task.Yield();
        }
    }

    [Fact]
    public async Task ScoreBulkAsync_RandomPerChunkLatency_YieldsRowsInInputOrder()
    {
        var random = new Random(42);
        using var service = new FakeService(Transport.InMemory).Echo(async _ => { await RandomHopsAsync(random, 200); return null; });
        var client = service.CreateClient();

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(2_000), new BulkScoringOptions { ChunkSize = 37, MaxConcurrency = 6 }));

        var ids = chunks.SelectMany(b => b.Results).Select(r => r.GetInt32("Id")).ToList();
        ids.Should().Equal(Enumerable.Range(0, 2_000));
        chunks.Select(b => b.FirstRow).Should().BeInAscendingOrder();
        chunks.Should().OnlyContain(b => b.Succeeded && b.Results.Count == b.RowCount);
        service.Calls.Should().Be((2_000 + 36) / 37);
    }

    [Fact]
    public async Task ScoreBulkAsync_ChunksCompleteInReverseOrder_YieldsInInputOrder()
    {
        var gates = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var arrived = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completionOrder = new List<int>();
        using var service = new FakeService(Transport.InMemory).Echo(async call =>
        {
            var chunk = call.FirstValue / 10;
            if (Interlocked.Increment(ref arrived) == 4)
            {
                allArrived.SetResult();
            }

            await gates[chunk].Task;
            lock (completionOrder)
            {
                completionOrder.Add(chunk);
            }

            return null;
        });
        var client = service.CreateClient();

        var run = CollectAsync(client.ScoreBulkAsync(Columns, Rows(40), new BulkScoringOptions { ChunkSize = 10, MaxConcurrency = 4 }));
        await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 3; i >= 0; i--)
        {
            gates[i].SetResult();
            await Task.Yield();
        }

        var chunks = await run;
        chunks.Select(b => b.FirstRow).Should().Equal(0, 10, 20, 30);
        chunks.SelectMany(b => b.Results).Select(r => r.GetInt32("Id")).Should().Equal(Enumerable.Range(0, 40));
        chunks[2].Results[5]["Scored"].Should().Be("scored:25");
    }

    [Fact]
    public async Task ScoreBulkAsync_ManyChunks_NeverExceedsConcurrencyBound()
    {
        var random = new Random(7);
        using var service = new FakeService(Transport.InMemory).Echo(async _ => { await RandomHopsAsync(random, 100); return null; });
        var client = service.CreateClient();

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(3_000), new BulkScoringOptions { ChunkSize = 10, MaxConcurrency = 3 }));

        chunks.Sum(b => b.Results.Count).Should().Be(3_000);
        service.Peak.Should().BeLessThanOrEqualTo(3).And.BeGreaterThan(1);
    }

    [Fact]
    public async Task ScoreBulkAsync_LargeRows_SplitsByEstimatedBytes()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();
        var options = new BulkScoringOptions { ChunkSize = 500, MaxChunkBytes = 16 * 1024 };

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(100, textLength: 1_000), options));

        chunks.Sum(b => b.Results.Count).Should().Be(100);
        service.Received.Should().HaveCountGreaterThan(6);
        service.Received.Should().OnlyContain(c => c.BodyBytes <= options.MaxChunkBytes);
        service.Received.Max(c => c.Rows.Length).Should().BeGreaterThan(10, "chunks are filled up to the byte limit, not cut short");
    }

    [Fact]
    public async Task ScoreBulkAsync_RowLargerThanLimit_IsSentAlone()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(3, textLength: 5_000), new BulkScoringOptions { MaxChunkBytes = 1024 }));

        chunks.Select(b => b.RowCount).Should().Equal(1, 1, 1);
    }

    [Fact]
    public void EstimateCellBytes_GeneratedCells_NeverBelowWhatTheJsonWriterWrites()
    {
        // Checked against the writer itself (not a copy of the formula): the estimate bounds the bytes a cell takes
        // in a body (its JSON form and a separator), and is exact for plain ASCII.
        var random = new Random(20261201);
        char[] alphabet = ['a', 'Z', '0', ' ', ',', '"', '\\', '<', '>', '&', '\'', '+', '\n', '\t', '\u0001', 'é', 'ß', '€', '中', '\ud83d', '\ude00'];
        var cells = new List<string?> { null, string.Empty, "plain ascii text" };
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = alphabet[random.Next(alphabet.Length)];
            }

            cells.Add(new string(chars));
        }

        foreach (var cell in cells)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                writer.WriteStringValue("x");
                if (cell is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStringValue(cell);
                }

                writer.WriteEndArray();
            }

            var actual = buffer.WrittenCount - "[\"x\"]".Length;
            TableBodyWriter.EstimateCellBytes(cell).Should().BeGreaterThanOrEqualTo(actual, "cell {0}", cell is null ? "null" : System.Text.Json.JsonSerializer.Serialize(cell));
        }

        TableBodyWriter.EstimateCellBytes("plain ascii text").Should().Be("\"plain ascii text\",".Length, "plain ASCII is counted exactly");
    }

    [Fact]
    public async Task ScoreBulkAsync_RowCountLimit_CutsChunks()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(1_001), new BulkScoringOptions { ChunkSize = 250 }));

        chunks.Select(b => b.RowCount).Should().Equal(250, 250, 250, 250, 1);
        chunks.Select(b => b.FirstRow).Should().Equal(0, 250, 500, 750, 1_000);
    }

    [Fact]
    public async Task ScoreBulkAsync_ChunkFails_ThrowsWithRowRangeAndServiceError()
    {
        using var service = new FakeService(Transport.InMemory).Echo(call => Task.FromResult(call.FirstValue == 200 ? FakeAnswer.Error(400, "BadArgument", "InputParseError") : null));
        var client = service.CreateClient();
        var yielded = new List<long>();

        var act = async () =>
        {
            await foreach (var chunk in client.ScoreBulkAsync(Columns, Rows(1_000), new BulkScoringOptions { ChunkSize = 100, MaxConcurrency = 2 }))
            {
                yielded.Add(chunk.FirstRow);
            }
        };

        var error = (await act.Should().ThrowAsync<BulkScoringException>()).Which;
        error.FirstRow.Should().Be(200);
        error.RowCount.Should().Be(100);
        error.Message.Should().Contain("rows 200 to 299").And.Contain("InputParseError");
        error.ScoringError!.Status.Should().Be(400);
        yielded.Should().Equal(0, 100);
        service.Calls.Should().BeLessThan(10, "the run stops sending once a chunk has failed");
        service.Active.Should().Be(0);
    }

    [Fact]
    public async Task ScoreBulkAsync_ContinueOnChunkFailure_ReportsFailedChunkAndScoresTheRest()
    {
        using var service = new FakeService(Transport.InMemory).Echo(call => Task.FromResult(call.FirstValue == 300 ? FakeAnswer.Error(500, "InternalError", "ModuleExecutionError") : null));
        var client = service.CreateClient();
        var reports = new List<BulkScoringProgress>();
        var options = new BulkScoringOptions { ChunkSize = 100, ContinueOnChunkFailure = true, Progress = new SyncProgress(reports) };

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(1_000), options));

        chunks.Should().HaveCount(10);
        var failed = chunks.Should().ContainSingle(b => !b.Succeeded).Which;
        failed.FirstRow.Should().Be(300);
        failed.Results.Should().BeEmpty();
        failed.Error!.ScoringError!.DetailCode.Should().Be("ModuleExecutionError");
        chunks.Where(b => b.Succeeded).Sum(b => b.Results.Count).Should().Be(900);
        var last = reports.OrderBy(r => r.RowsScored + r.RowsFailed).Last();
        last.RowsSent.Should().Be(1_000);
        last.RowsScored.Should().Be(900);
        last.RowsFailed.Should().Be(100);
    }

    [Fact]
    public async Task ScoreBulkAsync_Throttled_WaitsRetryAfterAndCompletes()
    {
        var throttled = 0;
        using var service = new FakeService(Transport.InMemory).Echo(_ => Task.FromResult(Interlocked.Increment(ref throttled) <= 3
            ? FakeAnswer.Error(503, "ServiceUnavailable", "TooManyConcurrentRequests", retryAfterSeconds: 2)
            : null));
        var clock = new RecordingTimeProvider();
        var client = service.CreateClient(timeProvider: clock);
        var reports = new List<BulkScoringProgress>();
        var options = new BulkScoringOptions { ChunkSize = 50, MaxConcurrency = 8, Progress = new SyncProgress(reports) };

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(500), options));

        chunks.SelectMany(b => b.Results).Select(r => r.GetInt32("Id")).Should().Equal(Enumerable.Range(0, 500));
        clock.Delays.Should().HaveCount(3).And.OnlyContain(d => d == TimeSpan.FromSeconds(2));
        service.Calls.Should().Be(10 + 3);
        var last = reports.MaxBy(r => (r.RowsScored, r.Retries, r.ThrottlingWaits));
        last.ThrottlingWaits.Should().Be(3);
        last.Retries.Should().Be(3);
        last.ThrottlingDelay.Should().Be(TimeSpan.FromSeconds(6));
        reports.Min(r => r.Concurrency).Should().BeLessThan(8, "throttling lowers the concurrency");
    }

    [Fact]
    public async Task ScoreBulkAsync_ThrottledWithoutRetryAfter_BacksOffExponentially()
    {
        var throttled = 0;
        using var service = new FakeService(Transport.InMemory).Echo(_ => Task.FromResult(Interlocked.Increment(ref throttled) <= 3 ? FakeAnswer.Error(429, "RateLimit", "RateLimit") : null));
        var clock = new RecordingTimeProvider();
        var client = service.CreateClient(timeProvider: clock);

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Rows(10), new BulkScoringOptions { ThrottleBackoff = TimeSpan.FromSeconds(1) }));

        chunks.Single().Results.Should().HaveCount(10);
        var delays = clock.Delays.ToArray();
        delays.Should().HaveCount(3);
        delays[0].TotalSeconds.Should().BeInRange(0.8, 1.2);
        delays[1].TotalSeconds.Should().BeInRange(1.6, 2.4);
        delays[2].TotalSeconds.Should().BeInRange(3.2, 4.8);
    }

    [Fact]
    public async Task ScoreBulkAsync_ThrottledBeyondRetries_FailsWithHint()
    {
        using var service = new FakeService(Transport.InMemory).Echo(_ => Task.FromResult<FakeAnswer?>(FakeAnswer.Error(503, "ServiceUnavailable", "TooManyConcurrentRequests", retryAfterSeconds: 1)));
        var client = service.CreateClient(timeProvider: new RecordingTimeProvider());

        var act = () => CollectAsync(client.ScoreBulkAsync(Columns, Rows(10), new BulkScoringOptions { MaxThrottleRetries = 2 }));

        var error = (await act.Should().ThrowAsync<BulkScoringException>()).Which;
        error.Message.Should().Contain("MaxConcurrency");
        service.Calls.Should().Be(3);
    }

    [Fact]
    public async Task ScoreBulkAsync_SlowConsumer_ReadsInputOnlyAsFarAsTheWindow()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();
        var pulled = 0;
        IEnumerable<IReadOnlyList<object?>> Source()
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                pulled++;
                yield return new object?[] { i, "x" };
            }
        }

        var options = new BulkScoringOptions { ChunkSize = 10, MaxConcurrency = 2 };
        await using (var enumerator = client.ScoreBulkAsync(Columns, Source(), options).GetAsyncEnumerator())
        {
            (await enumerator.MoveNextAsync()).Should().BeTrue();
            enumerator.Current.FirstRow.Should().Be(0);
        }

        pulled.Should().BeLessThanOrEqualTo((2 * BulkScoringEngine.WindowPerCall * 10) + 1);
        service.Active.Should().Be(0, "leaving the loop cancels and awaits the calls in flight");
    }

    [Fact]
    public async Task ScoreBulkAsync_Cancelled_StopsWithOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var act = async () =>
        {
            await foreach (var chunk in client.ScoreBulkAsync(Columns, Rows(10_000), new BulkScoringOptions { ChunkSize = 10 }, cts.Token))
            {
                await cts.CancelAsync();
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
        service.Calls.Should().BeLessThan(100);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ScoreBulkAsync_SourceThrows_FailsWithItsErrorAndLeavesNoCallRunning(bool direct)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var service = new FakeService(Transport.InMemory).Echo(async _ => { await release.Task; return null; });
        var client = ClientFor(service, direct);
        var disposed = false;
        IEnumerable<IReadOnlyList<object?>> Failing()
        {
            try
            {
                for (var i = 0; i < 45; i++)
                {
                    yield return new object?[] { i, "x" };
                }

                // Within the window (2 × 4 chunks of 10 rows): four calls are in flight, held until now, so the run
                // must wait for them after the source fails.
                release.SetResult();
                throw new InvalidOperationException("the source broke at row 45");
            }
            finally
            {
                disposed = true;
            }
        }

        var run = CollectAsync(client.ScoreBulkAsync(Columns, Failing(), new BulkScoringOptions { ChunkSize = 10, MaxConcurrency = 4 }));
        var act = () => run;

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("the source broke at row 45");
        service.Active.Should().Be(0, "the calls in flight were cancelled and awaited before the run failed");
        disposed.Should().BeTrue("the source is disposed");
    }

    [Fact]
    public void ScoreBulkAsync_InvalidOptions_ThrowsNamingTheSetting()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var act = () => client.ScoreBulkAsync(Columns, Rows(1), new BulkScoringOptions { ChunkSize = 0, MaxConcurrency = 500 });

        act.Should().Throw<ArgumentException>().Which.Should().Match<ArgumentException>(e =>
            e.ParamName == "options" && e.Message.Contains("ChunkSize must be between 1 and 100000") && e.Message.Contains("MaxConcurrency must be between 1 and 200"));
    }

    [Fact]
    public void Validate_Defaults_AreUsable()
    {
        var options = new BulkScoringOptions();
        options.Validate().Should().BeEmpty();
        options.ChunkSize.Should().Be(500);
        options.MaxChunkBytes.Should().Be(4 * 1024 * 1024);
        options.MaxConcurrency.Should().Be(16);
        options.ContinueOnChunkFailure.Should().BeFalse();
    }

    [Fact]
    public async Task ScoreBulkAsync_RowWithWrongCellCount_ThrowsNamingTheRow()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();
        IReadOnlyList<object?>[] rows = [new object?[] { 1, "a" }, new object?[] { 2 }];

        var act = () => CollectAsync(client.ScoreBulkAsync(Columns, rows));

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Row 1 has 1 cells but there are 2 columns");
    }

    [Fact]
    public async Task ScoreBulkAsync_AsyncSourceAndGlobalParameters_SendsParametersWithEveryChunk()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();
        var options = new BulkScoringOptions { ChunkSize = 5 };
        options.GlobalParameters["Threshold"] = "0.5";
        static async IAsyncEnumerable<IReadOnlyList<object?>> Source()
        {
            for (var i = 0; i < 12; i++)
            {
                await Task.Yield();
                yield return new string?[] { i.ToString(CultureInfo.InvariantCulture), null };
            }
        }

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Source(), options));

        chunks.Select(b => b.RowCount).Should().Equal(5, 5, 2);
        chunks[2].Results[1].IsNull("Text").Should().BeTrue();
        service.Received.Should().HaveCount(3).And.OnlyContain(c => c.GlobalParameters.Count == 1 && c.GlobalParameters["Threshold"] == "0.5");
    }

    // The two ways a chunk is sent: an AzureMlClient gets each chunk's body written as its rows are read; any
    // other IAzureMlClient (a user's decorator, say) gets a ScoringRequest per chunk.
    private static IAzureMlClient ClientFor(FakeService service, bool direct) =>
        direct ? service.CreateClient() : new ForwardingClient(service.CreateClient());

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ScoreBulkAsync_CellsThatNeedEscapingAndParameters_ArriveExactly(bool direct)
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = ClientFor(service, direct);
        var options = new BulkScoringOptions { ChunkSize = 3 };
        options.GlobalParameters["Quote \"q\""] = "line\nbreak é";
        options.GlobalParameters["Empty"] = string.Empty;
        string?[][] rows =
        [
            ["0", "plain"], ["1", "\"quoted\" \\ back\\slash"], ["2", "tab\tnew\nline\u0001"], ["3", null],
            ["4", "é ü 中 😀 <html> & '"], ["5", string.Empty], ["6", new string('x', 3_000)],
        ];

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, rows, options));

        chunks.SelectMany(b => b.Results).Select(r => r.GetString("Text")).Should().Equal(rows.Select(r => r[1]));
        service.Received.Should().HaveCount(3).And.OnlyContain(c =>
            c.GlobalParameters.Count == 2 && c.GlobalParameters["Quote \"q\""] == "line\nbreak é" && c.GlobalParameters["Empty"] == string.Empty);
        service.Received.Should().OnlyContain(c => c.Columns.SequenceEqual(Columns));
        if (direct)
        {
            service.Received.Should().OnlyContain(c => c.ContentLength == c.BodyBytes, "a chunk's body is sent whole, with its length");
        }
        else
        {
            ((ForwardingClient)client).TableCalls.Should().Be(3);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ScoreBulkAsync_SourceReusesOneArray_SendsEveryRowAsItWasRead(bool direct)
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = ClientFor(service, direct);
        static IEnumerable<IReadOnlyList<object?>> Reused()
        {
            var row = new string?[2];
            for (var i = 0; i < 50; i++)
            {
                row[0] = i.ToString(CultureInfo.InvariantCulture);
                row[1] = "text " + i.ToString(CultureInfo.InvariantCulture);
                yield return row;
            }
        }

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, Reused(), new BulkScoringOptions { ChunkSize = 7, MaxChunkBytes = 1024 }));

        chunks.SelectMany(b => b.Results).Select(r => r.GetString("Text")).Should().Equal(Enumerable.Range(0, 50).Select(i => "text " + i.ToString(CultureInfo.InvariantCulture)));
        service.Received.SelectMany(c => c.Rows).Select(r => r[0]).Order().Should().Equal(Enumerable.Range(0, 50).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ScoreBulkAsync_ByteLimit_NoChunkIsOverAndRowsArriveOnceInOrder(bool direct)
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = ClientFor(service, direct);
        var options = new BulkScoringOptions { ChunkSize = 1_000, MaxChunkBytes = 4 * 1024 };
        var random = new Random(3);
        var rows = Enumerable.Range(0, 400)
            .Select(i => new string?[] { i.ToString(CultureInfo.InvariantCulture), new string('é', random.Next(0, 120)) + "\"" })
            .ToArray();

        var chunks = await CollectAsync(client.ScoreBulkAsync(Columns, rows, options));

        var calls = service.Received.OrderBy(c => c.FirstValue).ToList();
        calls.Should().HaveCountGreaterThan(10);
        calls.Should().OnlyContain(c => c.BodyBytes <= options.MaxChunkBytes);
        calls.SelectMany(c => c.Rows).Select(r => r[0]).Should().Equal(rows.Select(r => r[0]));
        chunks.SelectMany(b => b.Results).Select(r => r.GetString("Text")).Should().Equal(rows.Select(r => r[1]));
        if (direct)
        {
            // Sizes are exact: every chunk but the last is full, the next row would not have fitted.
            for (var i = 0; i < calls.Count - 1; i++)
            {
                var next = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(calls[i + 1].Rows[0]).Length;
                (calls[i].BodyBytes + 1 + next).Should().BeGreaterThan(options.MaxChunkBytes, "chunk {0} had room for the next row", i);
            }
        }
    }

    [Fact]
    public async Task ScoreBulkAsync_InvalidGlobalParameterName_ThrowsBeforeAnyCall()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var options = new BulkScoringOptions();
        options.GlobalParameters["bad\nname"] = "x";

        var act = () => CollectAsync(service.CreateClient().ScoreBulkAsync(Columns, Rows(10), options));

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("line break");
        service.Calls.Should().Be(0);
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
}
