using System.Collections.Concurrent;
using System.Globalization;
using AzureMl.Client.Internal;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.BulkScoring;

/// <summary>
/// Retries in bulk scoring through a client registered with <c>AddAzureMlClient</c> (the real service chain:
/// resilience pipeline, response buffering). The run's waits are on fake time (<see cref="BulkScoringOptions.TimeProvider"/>):
/// nothing waits unless the test moves the clock. The pipeline keeps the real clock, so that a pipeline retry (which
/// these tests expect not to happen) would end by itself instead of holding the provider's disposal.
/// </summary>
public sealed class BulkScoringRetryTests
{
    private static readonly string[] Columns = ["Id", "Text"];

    // Long enough for a loaded machine; only reached when the behaviour under test is broken.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static IEnumerable<IReadOnlyList<object?>> Rows(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new object?[] { i, "row " + i.ToString(CultureInfo.InvariantCulture) };
        }
    }

    // The pipeline keeps its documented defaults (a 2 s backoff): a retry by it rather than by the run would show.
    private static FakeService Service(Func<FakeCall, Task<FakeAnswer?>> hook) =>
        new FakeService(Transport.InMemory, resilience: FakeService.DocumentedResilience).Echo(hook);

    private static async Task<List<ScoringRow>> CollectAsync(IAsyncEnumerable<BulkScoringChunk<ScoringRow>> run)
    {
        var rows = new List<ScoringRow>();
        long next = 0;
        await foreach (var chunk in run)
        {
            chunk.FirstRow.Should().Be(next, "chunks come back in input order");
            rows.AddRange(chunk.Results);
            next += chunk.RowCount;
        }

        return rows;
    }

    private static void ShouldBeEveryRowExactlyInOrder(List<ScoringRow> rows, int count)
    {
        rows.Select(r => r.GetInt32("Id")).Should().Equal(Enumerable.Range(0, count));
        rows.Select(r => r["Text"]).Should().Equal(Enumerable.Range(0, count).Select(i => "row " + i.ToString(CultureInfo.InvariantCulture)));
        rows.Select(r => r["Scored"]).Should().Equal(Enumerable.Range(0, count).Select(i => "scored:" + i.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task ScoreBulkAsync_HeadChunkWaitsForItsRetry_LaterChunksKeepBeingSent()
    {
        const int concurrency = 4;
        const int chunkSize = 10;
        const int rowCount = 400;
        const int window = concurrency * BulkScoringEngine.WindowPerCall;
        var time = new WaitRecordingTimeProvider(longest: TimeSpan.FromSeconds(1));
        var headFailed = 0;
        var laterSent = 0;
        var windowFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var service = Service(call =>
        {
            if (call.FirstValue == 0)
            {
                return Task.FromResult(Interlocked.Increment(ref headFailed) == 1
                    ? FakeAnswer.Error(500, "InternalError", "InternalError")
                    : null);
            }

            if (Interlocked.Increment(ref laterSent) == window - 1)
            {
                windowFull.TrySetResult();
            }

            return Task.FromResult<FakeAnswer?>(null);
        });
        var client = service.Client;
        var reports = new ConcurrentQueue<BulkScoringProgress>();
        var options = new BulkScoringOptions
        {
            ChunkSize = chunkSize,
            MaxConcurrency = concurrency,
            Progress = new Recorder(reports),
            TimeProvider = time,
        };

        // Should an assertion fail while the run waits, leaving the test stops the run.
        using var stop = new CancellationTokenSource();
        using var cancelOnExit = new CancelOnDispose(stop);
        var run = Task.Run(() => CollectAsync(client.ScoreBulkAsync(Columns, Rows(rowCount), options, stop.Token)));

        // The head chunk was answered 500 and waits for its retry: the clock does not move, so it waits until told.
        await Task.WhenAny(Task.WhenAll(time.ShortWait, windowFull.Task), Task.Delay(Guard));

        time.ShortWait.IsCompleted.Should().BeTrue("a transient 500 is retried by the run after its short backoff, not after the pipeline's 2 s");
        var wait = await time.ShortWait;
        wait.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(12), "the transient backoff is 10 ms ± 20%");
        service.Received.Count(c => c.FirstValue == 0).Should().Be(1, "the head chunk is still waiting for its retry");
        laterSent.Should().Be(window - 1, "while the head waits, the later chunks of the whole window are sent and scored");
        service.Calls.Should().Be(window, "no more chunks than the window holds: memory stays bounded");
        run.IsCompleted.Should().BeFalse();

        time.Advance(wait);
        var rows = await run.WaitAsync(Guard);

        ShouldBeEveryRowExactlyInOrder(rows, rowCount);
        service.Calls.Should().Be((rowCount / chunkSize) + 1, "the failed chunk is sent once more, by the run alone (the pipeline left the 500 to it)");
        reports.Max(r => r.Retries).Should().Be(1);
        reports.Max(r => r.ThrottlingWaits).Should().Be(0, "a 500 is not throttling");
    }

    [Fact]
    public async Task ScoreBulkAsync_ThrottledThroughThePipeline_TheRunRetriesAndLowersConcurrency()
    {
        const int rowCount = 100;
        var time = new WaitRecordingTimeProvider(longest: TimeSpan.FromSeconds(10));
        var throttled = 0;
        using var service = Service(call => Task.FromResult(call.FirstValue == 0 && Interlocked.Increment(ref throttled) == 1
            ? FakeAnswer.Error(503, "ServiceUnavailable", "TooManyConcurrentRequests", retryAfterSeconds: 1)
            : null));
        var client = service.Client;
        var reports = new ConcurrentQueue<BulkScoringProgress>();
        var options = new BulkScoringOptions { ChunkSize = 10, MaxConcurrency = 8, Progress = new Recorder(reports), TimeProvider = time };

        using var stop = new CancellationTokenSource();
        using var cancelOnExit = new CancelOnDispose(stop);
        var run = Task.Run(() => CollectAsync(client.ScoreBulkAsync(Columns, Rows(rowCount), options, stop.Token)));
        await Task.WhenAny(time.ShortWait, Task.Delay(Guard));
        time.ShortWait.IsCompleted.Should().BeTrue("the run, not the pipeline, waits after the 503");
        var wait = await time.ShortWait;
        wait.Should().Be(TimeSpan.FromSeconds(1), "Retry-After is honoured");
        time.Advance(wait);
        var rows = await run.WaitAsync(Guard);

        ShouldBeEveryRowExactlyInOrder(rows, rowCount);
        service.Calls.Should().Be(11, "one retry, by one owner");
        reports.Max(r => r.ThrottlingWaits).Should().Be(1, "the run, not the pipeline, saw the 503 and waited");
        reports.Min(r => r.Concurrency).Should().BeLessThan(8, "the limiter saw the throttled answer");
    }

    /// <summary>Fake time that reports the first timer of at most <c>longest</c> (a retry wait, not a pipeline timeout).</summary>
    private sealed class WaitRecordingTimeProvider(TimeSpan longest) : FakeTimeProvider
    {
        private readonly TaskCompletionSource<TimeSpan> _shortWait = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TimeSpan> ShortWait => _shortWait.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime > TimeSpan.Zero && dueTime <= longest)
            {
                _shortWait.TrySetResult(dueTime);
            }

            return timer;
        }
    }

    private sealed class CancelOnDispose(CancellationTokenSource source) : IDisposable
    {
        public void Dispose() => source.Cancel();
    }

    private sealed class Recorder(ConcurrentQueue<BulkScoringProgress> reports) : IProgress<BulkScoringProgress>
    {
        public void Report(BulkScoringProgress value) => reports.Enqueue(value);
    }
}
