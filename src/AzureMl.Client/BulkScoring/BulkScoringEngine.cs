using System.Buffers;
using System.Runtime.CompilerServices;

namespace AzureMl.Client.Internal;

/// <summary>
/// Runs a bulk scoring job: reads rows into batches, sends up to the concurrency bound at once, and yields batches in
/// input order. At most twice the concurrency bound of batches exist at a time, so memory follows the window, not
/// the input.
/// </summary>
internal static class BulkScoringEngine
{
    private static readonly SearchValues<char> PlainJsonChars = SearchValues.Create(
        " !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    public static async IAsyncEnumerable<BulkScoringBatch<TResult>> RunAsync<TRow, TResult>(
        IAzureMlClient client,
        string[] columns,
        IAsyncEnumerable<TRow> rows,
        Func<TRow, long, string?[]> toCells,
        Func<ScoringOutput, long, IReadOnlyList<TResult>> toResults,
        BulkScoringOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = new Run<TResult>(client, options, toResults);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new BatchReader<TRow>(rows.GetAsyncEnumerator(stop.Token), columns, toCells, options.BatchSize, options.MaxBatchBytes);
        var window = new Queue<Task<BulkScoringBatch<TResult>>>();
        var capacity = options.MaxConcurrency * 2;
        try
        {
            while (true)
            {
                while (window.Count < capacity && !run.Stopped)
                {
                    var batch = await reader.ReadAsync().ConfigureAwait(false);
                    if (batch is null)
                    {
                        break;
                    }

                    window.Enqueue(run.SendAsync(batch.Value.Table, batch.Value.FirstRow, stop.Token));
                }

                if (window.Count == 0)
                {
                    yield break;
                }

                var done = await window.Dequeue().ConfigureAwait(false);
                if (done.Error is not null && !options.ContinueOnBatchFailure)
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

            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>An upper bound of the UTF-8 JSON size of a cell, quotes and separator included.</summary>
    internal static int EstimateCellBytes(string? cell)
    {
        if (cell is null)
        {
            return 5;
        }

        var text = cell.AsSpan();
        var bytes = text.Length + 3;
        var i = text.IndexOfAnyExcept(PlainJsonChars);
        while (i >= 0)
        {
            // The JSON writer's default encoder escapes non-ASCII and HTML-sensitive characters as \uXXXX.
            bytes += 5;
            text = text[(i + 1)..];
            i = text.IndexOfAnyExcept(PlainJsonChars);
        }

        return bytes;
    }

    private readonly record struct Batch(ScoringTable Table, long FirstRow);

    private sealed class BatchReader<TRow>(
        IAsyncEnumerator<TRow> source, string[] columns, Func<TRow, long, string?[]> toCells, int batchSize, int maxBytes)
    {
        private readonly int _envelopeBytes = 64 + columns.Sum(EstimateCellBytes);
        private string?[]? _carried;
        private int _carriedBytes;
        private long _nextRow;
        private bool _exhausted;

        public async ValueTask<Batch?> ReadAsync()
        {
            if (_exhausted && _carried is null)
            {
                return null;
            }

            var table = new ScoringTable(columns);
            var rows = table.RawRows;
            var bytes = _envelopeBytes;
            var firstRow = _nextRow;
            if (_carried is not null)
            {
                rows.Add(_carried);
                bytes += _carriedBytes;
                _carried = null;
            }

            while (rows.Count < batchSize && !_exhausted)
            {
                if (!await source.MoveNextAsync().ConfigureAwait(false))
                {
                    _exhausted = true;
                    break;
                }

                var index = firstRow + rows.Count;
                var cells = toCells(source.Current, index);
                if (cells.Length != columns.Length)
                {
                    throw new ArgumentException(
                        $"Row {index} has {cells.Length} cells but there are {columns.Length} columns ({string.Join(", ", columns)}): give one cell per column, null for a missing value.",
                        "rows");
                }

                var rowBytes = 2;
                foreach (var cell in cells)
                {
                    rowBytes += EstimateCellBytes(cell);
                }

                if (rows.Count > 0 && bytes + rowBytes > maxBytes)
                {
                    _carried = cells;
                    _carriedBytes = rowBytes;
                    break;
                }

                rows.Add(cells);
                bytes += rowBytes;
            }

            if (rows.Count == 0)
            {
                return null;
            }

            _nextRow = firstRow + rows.Count;
            return new Batch(table, firstRow);
        }

        public ValueTask DisposeAsync() => source.DisposeAsync();
    }

    private sealed class Run<TResult>(IAzureMlClient client, BulkScoringOptions options, Func<ScoringOutput, long, IReadOnlyList<TResult>> toResults)
    {
        private static readonly ScoringOptions WithDetails = new() { Details = true };
        private readonly AdaptiveConcurrencyLimiter _limiter = new(options.MaxConcurrency);
        private readonly TimeProvider _time = options.TimeProvider ?? (client as AzureMlClient)?.TimeProvider ?? TimeProvider.System;
        private readonly Lock _lock = new();
        private readonly KeyValuePair<string, string>[] _parameters = [.. options.GlobalParameters];
        private long _sent;
        private long _scored;
        private long _failed;
        private int _retries;
        private int _waits;
        private TimeSpan _delay;
        private volatile bool _stopped;
        private long _firstFailedRow = long.MaxValue;

        public bool Stopped => _stopped;

        public async Task<BulkScoringBatch<TResult>> SendAsync(ScoringTable table, long firstRow, CancellationToken cancellationToken)
        {
            var count = table.RawRows.Count;
            var request = new ScoringRequest();
            request.Inputs[options.InputName] = table;
            foreach (var (name, value) in _parameters)
            {
                request.GlobalParameters[name] = value;
            }

            var throttles = 0;
            var first = true;
            while (true)
            {
                var generation = await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
                if (firstRow > Volatile.Read(ref _firstFailedRow))
                {
                    // An earlier batch failed the run: this one is never yielded, so it is not sent.
                    _limiter.Release(generation, throttled: false);
                    return new BulkScoringBatch<TResult>(firstRow, count, null, null, new BulkScoringException("Not sent: an earlier batch failed the run."));
                }

                if (first)
                {
                    first = false;
                    Update(ref _sent, count);
                }

                ScoringResult result;
                try
                {
                    result = await client.ExecuteAsync(request, WithDetails, cancellationToken).ConfigureAwait(false);
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
                catch (AzureMlException ex)
                {
                    _limiter.Release(generation, throttled: false);
                    if (!options.ContinueOnBatchFailure)
                    {
                        _stopped = true;
                        long seen;
                        while (firstRow < (seen = Volatile.Read(ref _firstFailedRow)) && Interlocked.CompareExchange(ref _firstFailedRow, firstRow, seen) != seen)
                        {
                        }
                    }

                    Update(ref _failed, count);
                    return new BulkScoringBatch<TResult>(firstRow, count, null, null, new BulkScoringException(firstRow, count, ex));
                }
                catch
                {
                    _limiter.Release(generation, throttled: false);
                    throw;
                }

                _limiter.Release(generation, throttled: false);
                var output = options.OutputName is null ? result.DefaultOutput : result.GetOutput(options.OutputName);
                var results = toResults(output, firstRow);
                Update(ref _scored, count);
                return new BulkScoringBatch<TResult>(firstRow, count, output, results, null);
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
                var backoff = options.ThrottleBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
#pragma warning disable CA5394 // Jitter spreads retries of concurrent batches; it needs no security.
                backoff *= 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
                delay = TimeSpan.FromMilliseconds(Math.Min(backoff, options.MaxThrottleDelay.TotalMilliseconds));
            }

            return delay > options.MaxThrottleDelay ? options.MaxThrottleDelay : delay;
        }

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
                    Interlocked.Read(ref _sent), Interlocked.Read(ref _scored), Interlocked.Read(ref _failed), Volatile.Read(ref _retries), _waits, _delay, _limiter.Limit);
            }

            progress.Report(snapshot);
        }
    }
}
