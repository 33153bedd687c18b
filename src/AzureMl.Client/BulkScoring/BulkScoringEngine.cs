using System.Buffers;
using System.Runtime.CompilerServices;

namespace AzureMl.Client.Internal;

/// <summary>
/// The cells of one input row, one per column. <paramref name="borrowed"/> is true when the array belongs to the
/// caller (it may change once the next row is read), so a chunk that keeps it must copy it. With
/// <paramref name="typed"/>, <paramref name="kinds"/> says which cells are numbers or booleans (null: all text).
/// </summary>
internal delegate string?[] RowCells<in TRow>(TRow row, long index, bool typed, out bool borrowed, out ScoringTable.CellKind[]? kinds);

/// <summary>
/// Runs a bulk scoring job: reads rows into chunks, sends up to the concurrency bound at once, and yields chunks in
/// input order. At most <see cref="WindowPerCall"/> times the concurrency bound of chunks exist at a time, so memory
/// follows the window, not the input.
/// </summary>
/// <remarks>
/// <para>
/// The run reaches its service only through an <see cref="IChunkScorer"/>: the clients of this package write each
/// chunk as its JSON request body while its rows are read (one table writer, the protocol's envelope) and send it
/// as it is, with a Content-Length; any other implementation of the public interfaces gets a table per chunk through
/// its public scoring method.
/// </para>
/// <para>
/// Where the scorer leaves answers to the run (<see cref="IChunkScorer.RunRetriesAnswers"/>), the run is their one
/// owner: the resilience pipeline does not retry them
/// (<see cref="Resilience.AzureMlResiliencePipeline.AnswersRetriedByCaller"/>). A throttled answer (429, 503)
/// lowers the concurrency at once and waits <c>Retry-After</c> or the throttle backoff; a transient one (500, 502,
/// 504, and 408 where the scorer allows it) waits the short transient backoff, since the concurrency bound, not the
/// wait, is what caps the load a retry adds. Failures without an answer (connection, timeout) stay with the
/// pipeline. A chunk sent again gets the next free slot before later chunks, so the head of the window is not held
/// behind them.
/// </para>
/// <para>
/// With a target call duration, rows per chunk follow the measured time per row (<see cref="ChunkSizer"/>).
/// </para>
/// </remarks>
internal static class BulkScoringEngine
{
    /// <summary>
    /// Chunks the window holds per call allowed in flight. Finished chunks wait in it behind an earlier one that is
    /// being retried; room for several times the calls in flight keeps sending while the head waits.
    /// </summary>
    internal const int WindowPerCall = 4;

    public static async IAsyncEnumerable<BulkScoringChunk<TResult>> RunAsync<TRow, TResult>(
        IChunkScorer scorer,
        string[] columns,
        IAsyncEnumerable<TRow> rows,
        RowCells<TRow> toCells,
        Func<ScoringOutput, long, IReadOnlyList<TResult>> toResults,
        BulkScoringOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sizer = new ChunkSizer(options.ChunkSize, options.MinChunkSize, options.TargetCallDuration ?? scorer.DefaultTargetCallDuration);
        var run = new Run<TResult>(scorer, options, sizer, toResults);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new ChunkReader<TRow>(rows.GetAsyncEnumerator(stop.Token), columns, toCells, options, scorer, sizer);
        await using var readerScope = reader.ConfigureAwait(false);
        var window = new Queue<Task<BulkScoringChunk<TResult>>>();
        try
        {
            while (true)
            {
                // While adaptive sizes are still growing, read no further ahead than the calls allowed in flight, so
                // the chunks that wait in the window are read at the size the next answers set, not the first one.
                while (window.Count < (sizer.Settled ? options.MaxConcurrency * WindowPerCall : options.MaxConcurrency) && !run.Stopped)
                {
                    var chunk = await reader.ReadAsync().ConfigureAwait(false);
                    if (chunk is null)
                    {
                        break;
                    }

                    window.Enqueue(run.SendAsync(chunk.Value, stop.Token));
                }

                if (window.Count == 0)
                {
                    yield break;
                }

                var done = await window.Dequeue().ConfigureAwait(false);
                if (done.Error is not null && !options.ContinueOnChunkFailure)
                {
                    throw done.Error;
                }

                yield return done;
            }
        }
        finally
        {
            // Stopped early (failure, cancellation or the caller left the loop): cancel what is in flight and wait
            // for it, so no call outlives the run.
            await stop.CancelAsync().ConfigureAwait(false);
            while (window.TryDequeue(out var pending))
            {
                try
                {
                    await pending.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Any failure of a call the run no longer needs is observed and dropped.
                catch (Exception)
                {
                    // The run already ends with its own outcome (result, failure or cancellation).
                }
#pragma warning restore CA1031
            }
        }
    }

    private sealed class ChunkReader<TRow> : IAsyncDisposable
    {
        private const int FirstBodySize = 16 * 1024;

        private readonly IAsyncEnumerator<TRow> _source;
        private readonly string[] _columns;
        private readonly RowCells<TRow> _toCells;
        private readonly ChunkSizer _sizer;
        private readonly int _maxBytes;
        private readonly TableEnvelope _envelope;
        private readonly bool _bodies;
        private readonly bool _typed;

        // Bodies: written by the one table writer into pooled buffers.
        private readonly ChunkBodyPool? _pool;
        private readonly PooledBufferWriter? _body;
        private readonly TableBodyWriter? _writer;
        private byte[]? _carriedJson;

        // Tables: rows are measured with an upper bound of their JSON size; the envelope is exact.
        private (string?[] Cells, ScoringTable.CellKind[]? Kinds, int Bytes)? _carried;

        private long _nextRow;
        private bool _exhausted;

        public ChunkReader(IAsyncEnumerator<TRow> source, string[] columns, RowCells<TRow> toCells, BulkScoringOptions options, IChunkScorer scorer, ChunkSizer sizer)
        {
            _source = source;
            _columns = columns;
            _toCells = toCells;
            _sizer = sizer;
            _maxBytes = options.MaxChunkBytes;
            _envelope = scorer.Envelope;
            _bodies = scorer.TakesBodies;
            _typed = _envelope.TypedCells;
            if (_bodies)
            {
                _pool = new ChunkBodyPool();
                _body = new PooledBufferWriter(_pool, FirstBodySize);
                _writer = new TableBodyWriter(_body);
            }
        }

        public ValueTask<Chunk?> ReadAsync()
        {
            if (_exhausted && _carried is null && _carriedJson is null)
            {
                return new ValueTask<Chunk?>((Chunk?)null);
            }

            return _bodies ? ReadBodyAsync() : ReadTableAsync();
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _source.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _writer?.Dispose();
                _body?.Dispose();
            }
        }

        private async ValueTask<Chunk?> ReadBodyAsync()
        {
            var body = _body!;
            var envelope = _envelope;
            var limit = _sizer.Current;
            body.Clear();
            body.Write(envelope.Start);
            var firstRow = _nextRow;
            var count = 0;
            if (_carriedJson is not null)
            {
                body.Write(_carriedJson);
                _carriedJson = null;
                count = 1;
            }

            while (count < limit && !_exhausted)
            {
                if (!await _source.MoveNextAsync().ConfigureAwait(false))
                {
                    _exhausted = true;
                    break;
                }

                // A borrowed array is written out here, before the next row is read, so it need not be copied.
                var cells = Cells(firstRow + count, out _, out var kinds);
                if (count > 0)
                {
                    body.Write(","u8);
                }

                var start = body.WrittenCount;
                _writer!.WriteRow(cells, kinds, _typed);
                if (count > 0 && body.WrittenCount + envelope.EndLength(count + 1) > _maxBytes)
                {
                    // Over the limit: this row starts the next chunk.
                    _carriedJson = body.WrittenSpan[start..].ToArray();
                    body.Truncate(start - 1);
                    break;
                }

                count++;
            }

            if (count == 0)
            {
                return null;
            }

            envelope.WriteEnd(body, count);
            _nextRow = firstRow + count;
            return new Chunk(firstRow, count, _pool!.TakeBody(body, FirstBodySize), null);
        }

        private async ValueTask<Chunk?> ReadTableAsync()
        {
            var envelope = _envelope;
            var limit = _sizer.Current;
            var table = new ScoringTable(_columns);
            var bytes = envelope.Start.Length;
            var firstRow = _nextRow;
            if (_carried is { } carried)
            {
                table.AddRaw(carried.Cells, carried.Kinds);
                bytes += carried.Bytes;
                _carried = null;
            }

            while (table.RawRows.Count < limit && !_exhausted)
            {
                if (!await _source.MoveNextAsync().ConfigureAwait(false))
                {
                    _exhausted = true;
                    break;
                }

                var count = table.RawRows.Count;
                var cells = Cells(firstRow + count, out var borrowed, out var kinds);
                if (borrowed)
                {
                    // The table keeps the row after the next one is read.
                    cells = cells.AsSpan().ToArray();
                }

                var rowBytes = 2;
                foreach (var cell in cells)
                {
                    rowBytes += TableBodyWriter.EstimateCellBytes(cell);
                }

                if (count > 0 && bytes + rowBytes + envelope.EndLength(count + 1) > _maxBytes)
                {
                    _carried = (cells, kinds, rowBytes);
                    break;
                }

                table.AddRaw(cells, kinds);
                bytes += rowBytes;
            }

            if (table.RawRows.Count == 0)
            {
                return null;
            }

            _nextRow = firstRow + table.RawRows.Count;
            return new Chunk(firstRow, table.RawRows.Count, null, table);
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208:Instantiate argument exceptions correctly", Justification = "The bad value came from the caller's rows argument.")]
        private string?[] Cells(long index, out bool borrowed, out ScoringTable.CellKind[]? kinds)
        {
            var cells = _toCells(_source.Current, index, _typed, out borrowed, out kinds);
            if (cells.Length != _columns.Length)
            {
                throw new ArgumentException(
                    $"Row {index} has {cells.Length} cells but there are {_columns.Length} columns ({string.Join(", ", _columns)}): give one cell per column, null for a missing value.",
                    "rows");
            }

            return cells;
        }
    }

    private sealed class Run<TResult>(IChunkScorer scorer, BulkScoringOptions options, ChunkSizer sizer, Func<ScoringOutput, long, IReadOnlyList<TResult>> toResults)
    {
        private readonly AdaptiveConcurrencyLimiter _limiter = new(options.MaxConcurrency);
        private readonly TimeProvider _time = options.TimeProvider ?? scorer.TimeProvider;
        private readonly Lock _lock = new();
        private long _sent;
        private long _scored;
        private long _failed;
        private int _retries;
        private int _waits;
        private TimeSpan _delay;
        private volatile bool _stopped;
        private long _firstFailedRow = long.MaxValue;

        public bool Stopped => _stopped;

        public async Task<BulkScoringChunk<TResult>> SendAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            try
            {
                return await SendCoreAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // The call has ended: its body's buffer can be reused once no write of it is still running.
                chunk.Body?.Release();
            }
        }

        private async Task<BulkScoringChunk<TResult>> SendCoreAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            var firstRow = chunk.FirstRow;
            var count = chunk.Count;
            var throttles = 0;
            var transients = 0;
            var first = true;
            while (true)
            {
                var generation = await _limiter.AcquireAsync(firstRow, cancellationToken).ConfigureAwait(false);
                if (firstRow > Volatile.Read(ref _firstFailedRow))
                {
                    // An earlier chunk failed the run: this one is never yielded, so it is not sent.
                    _limiter.Release(generation, throttled: false);
                    return new BulkScoringChunk<TResult>(firstRow, count, null, null, new BulkScoringException("Not sent: an earlier chunk failed the run."));
                }

                if (first)
                {
                    first = false;
                    Update(ref _sent, count);
                }

                ScoringOutput output;
                var started = _time.GetTimestamp();
                try
                {
                    output = await scorer.ScoreAsync(chunk, cancellationToken).ConfigureAwait(false);
                }
                catch (AzureMlException ex) when (ex.IsThrottling && throttles < options.MaxThrottleRetries)
                {
                    _limiter.Release(generation, throttled: true);
                    throttles++;
                    var delay = ThrottleDelay(ex.RetryAfter, throttles);
                    lock (_lock)
                    {
                        _waits++;
                        _delay += delay;
                    }

                    Report();
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _retries);
                    continue;
                }
                catch (AzureMlException ex) when (scorer.RunRetriesAnswers && IsTransientAnswer(ex) && transients < options.MaxTransientRetries)
                {
                    // Only where the pipeline left the answer to the run: no second retry layer.
                    _limiter.Release(generation, throttled: false);
                    transients++;
                    await Task.Delay(Backoff(options.TransientRetryBackoff, transients), _time, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _retries);
                    Report();
                    continue;
                }
                catch (AzureMlException ex)
                {
                    _limiter.Release(generation, throttled: false);
                    if (ex.Status == 408)
                    {
                        // The chunk ran past the service's request timeout: later chunks are smaller.
                        sizer.TimedOut(count);
                    }

                    if (!options.ContinueOnChunkFailure)
                    {
                        _stopped = true;
                        long seen;
                        while (firstRow < (seen = Volatile.Read(ref _firstFailedRow)) && Interlocked.CompareExchange(ref _firstFailedRow, firstRow, seen) != seen)
                        {
                        }
                    }

                    Update(ref _failed, count);
                    return new BulkScoringChunk<TResult>(firstRow, count, null, null, new BulkScoringException(firstRow, count, ex));
                }
                catch
                {
                    _limiter.Release(generation, throttled: false);
                    throw;
                }

                _limiter.Release(generation, throttled: false);
                sizer.Succeeded(count, _time.GetElapsedTime(started));
                var results = toResults(output, firstRow);
                Update(ref _scored, count);
                return new BulkScoringChunk<TResult>(firstRow, count, output, results, null);
            }
        }

        private TimeSpan ThrottleDelay(TimeSpan? retryAfter, int attempt)
        {
            TimeSpan delay;
            if (retryAfter is { } given && given > TimeSpan.Zero)
            {
                delay = given;
            }
            else
            {
                delay = Backoff(options.ThrottleBackoff, attempt);
            }

            return delay > options.MaxThrottleDelay ? options.MaxThrottleDelay : delay;
        }

        /// <summary><paramref name="first"/> doubled per earlier attempt, ±20% jitter, at most <see cref="BulkScoringOptions.MaxThrottleDelay"/>.</summary>
        private TimeSpan Backoff(TimeSpan first, int attempt)
        {
            var backoff = first.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
#pragma warning disable CA5394 // Jitter spreads retries of concurrent chunks; it needs no security.
            backoff *= 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
            return TimeSpan.FromMilliseconds(Math.Min(backoff, options.MaxThrottleDelay.TotalMilliseconds));
        }

        /// <summary>
        /// An answer that may well succeed when sent again at once: 500, 502, 504 (503 is throttling), and 408 where
        /// the scorer allows it (an online endpoint's model may still be working on a timed-out chunk).
        /// </summary>
        private bool IsTransientAnswer(AzureMlException ex) => ex.Status is 500 or 502 or 504 || (ex.Status == 408 && scorer.RetriesTimeouts);

        private void Update(ref long counter, int rows)
        {
            Interlocked.Add(ref counter, rows);
            Report();
        }

        private void Report()
        {
            var progress = options.Progress;
            if (progress is null)
            {
                return;
            }

            BulkScoringProgress snapshot;
            lock (_lock)
            {
                snapshot = new BulkScoringProgress(
                    Interlocked.Read(ref _sent), Interlocked.Read(ref _scored), Interlocked.Read(ref _failed), Volatile.Read(ref _retries), _waits, _delay, _limiter.Limit, sizer.Current);
            }

            progress.Report(snapshot);
        }
    }
}
