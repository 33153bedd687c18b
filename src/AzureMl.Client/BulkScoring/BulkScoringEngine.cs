using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace AzureMl.Client.Internal;

/// <summary>
/// The cells of one input row, one per column. <paramref name="borrowed"/> is true when the array belongs to the
/// caller (it may change once the next row is read), so a chunk that keeps it must copy it.
/// </summary>
internal delegate string?[] RowCells<in TRow>(TRow row, long index, out bool borrowed);

/// <summary>
/// Runs a bulk scoring job: reads rows into chunks, sends up to the concurrency bound at once, and yields chunks in
/// input order. At most <see cref="WindowPerCall"/> times the concurrency bound of chunks exist at a time, so memory
/// follows the window, not the input.
/// </summary>
/// <remarks>
/// <para>
/// With an <see cref="AzureMlClient"/>, each chunk is written as its JSON request body while its rows are read, and
/// sent as it is (with a Content-Length): no table of rows is built, and the byte limit is exact. Other
/// <see cref="IAzureMlClient"/> implementations get a <see cref="ScoringRequest"/> per chunk.
/// </para>
/// <para>
/// With an <see cref="AzureMlClient"/>, the run is the one owner of retries of the service's answers to its calls:
/// the resilience pipeline does not retry them (<see cref="Resilience.AzureMlResiliencePipeline.AnswersRetriedByCaller"/>).
/// A throttled answer (429, 503) lowers the concurrency at once and waits <c>Retry-After</c> or the throttle
/// backoff; a transient one (408, 500, 502, 504) waits the short transient backoff, since the concurrency bound, not
/// the wait, is what caps the load a retry adds. Failures without an answer (connection, timeout) stay with the
/// pipeline. A chunk sent again gets the next free slot before later chunks, so the head of the window is not held
/// behind them.
/// </para>
/// </remarks>
internal static class BulkScoringEngine
{
    /// <summary>
    /// Chunks the window holds per call allowed in flight. Finished chunks wait in it behind an earlier one that is
    /// being retried; room for several times the calls in flight keeps sending while the head waits.
    /// </summary>
    internal const int WindowPerCall = 4;

    private static readonly SearchValues<char> PlainJsonChars = SearchValues.Create(
        " !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    public static async IAsyncEnumerable<BulkScoringChunk<TResult>> RunAsync<TRow, TResult>(
        IAzureMlClient client,
        string[] columns,
        IAsyncEnumerable<TRow> rows,
        RowCells<TRow> toCells,
        Func<ScoringOutput, long, IReadOnlyList<TResult>> toResults,
        BulkScoringOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ScoringValidation.CheckParameters(options.GlobalParameters, nameof(options));
        var direct = client as AzureMlClient;
        var run = new Run<TResult>(client, direct, options, toResults);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new ChunkReader<TRow>(rows.GetAsyncEnumerator(stop.Token), columns, toCells, options, json: direct is not null);
        await using var readerScope = reader.ConfigureAwait(false);
        var window = new Queue<Task<BulkScoringChunk<TResult>>>();
        var capacity = options.MaxConcurrency * WindowPerCall;
        try
        {
            while (true)
            {
                while (window.Count < capacity && !run.Stopped)
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

    /// <summary>One chunk: its JSON request body (with an <see cref="AzureMlClient"/>) or its table.</summary>
    private readonly record struct Chunk(long FirstRow, int Count, ChunkBody? Body, ScoringTable? Table);

    private sealed class ChunkReader<TRow> : IAsyncDisposable
    {
        private const int FirstBodySize = 16 * 1024;

        private readonly IAsyncEnumerator<TRow> _source;
        private readonly string[] _columns;
        private readonly RowCells<TRow> _toCells;
        private readonly int _chunkSize;
        private readonly int _maxBytes;
        private readonly bool _json;

        // JSON bodies: the part before the rows and the part after them are the same for every chunk.
        private readonly ChunkBodyPool? _bodies;
        private readonly PooledBufferWriter? _body;
        private readonly Utf8JsonWriter? _escaper;
        private readonly byte[] _prefix = [];
        private readonly byte[] _suffix = [];
        private byte[]? _carriedJson;

        // Tables: rows are measured with an upper bound of their JSON size; the envelope is exact.
        private readonly int _envelopeBytes;
        private string?[]? _carried;
        private int _carriedBytes;

        private long _nextRow;
        private bool _exhausted;

        public ChunkReader(IAsyncEnumerator<TRow> source, string[] columns, RowCells<TRow> toCells, BulkScoringOptions options, bool json)
        {
            _source = source;
            _columns = columns;
            _toCells = toCells;
            _chunkSize = options.ChunkSize;
            _maxBytes = options.MaxChunkBytes;
            _json = json;
            (_prefix, _suffix) = Envelope(columns, options);
            if (json)
            {
                _bodies = new ChunkBodyPool();
                _body = new PooledBufferWriter(_bodies, FirstBodySize);
                _escaper = new Utf8JsonWriter(_body, new JsonWriterOptions { SkipValidation = true });
            }
            else
            {
                // A table's body has the same envelope around its rows, and the brackets of Values.
                _envelopeBytes = _prefix.Length + 2 + _suffix.Length;
            }
        }

        public ValueTask<Chunk?> ReadAsync()
        {
            if (_exhausted && _carried is null && _carriedJson is null)
            {
                return new ValueTask<Chunk?>((Chunk?)null);
            }

            return _json ? ReadBodyAsync() : ReadTableAsync();
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _source.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                if (_escaper is not null)
                {
                    await _escaper.DisposeAsync().ConfigureAwait(false);
                }

                _body?.Dispose();
            }
        }

        /// <summary>The body before the rows (<c>{"Inputs":{"input1":{"ColumnNames":[…],"Values":</c>) and after them.</summary>
        private static (byte[] Prefix, byte[] Suffix) Envelope(string[] columns, BulkScoringOptions options)
        {
            using var buffer = new PooledBufferWriter();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("Inputs"u8);
                writer.WriteStartObject(options.InputName);
                writer.WriteStartArray("ColumnNames"u8);
                foreach (var column in columns)
                {
                    writer.WriteStringValue(column);
                }

                writer.WriteEndArray();
                writer.WritePropertyName("Values"u8);
                writer.Flush();
            }

            var prefix = buffer.WrittenMemory.ToArray();
            buffer.Clear();
            buffer.Write("}},\"GlobalParameters\":"u8);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var (name, value) in options.GlobalParameters)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
            }

            buffer.Write("}"u8);
            var suffix = buffer.WrittenMemory.ToArray();
            return (prefix, suffix);
        }

        private async ValueTask<Chunk?> ReadBodyAsync()
        {
            var body = _body!;
            body.Clear();
            body.Write(_prefix);
            body.Write("["u8);
            var firstRow = _nextRow;
            var count = 0;
            if (_carriedJson is not null)
            {
                body.Write(_carriedJson);
                _carriedJson = null;
                count = 1;
            }

            // The closing bracket of Values, then the suffix.
            var closing = 1 + _suffix.Length;
            while (count < _chunkSize && !_exhausted)
            {
                if (!await _source.MoveNextAsync().ConfigureAwait(false))
                {
                    _exhausted = true;
                    break;
                }

                // A borrowed array is written out here, before the next row is read, so it need not be copied.
                var cells = Cells(firstRow + count, out _);
                if (count > 0)
                {
                    body.Write(","u8);
                }

                var start = body.WrittenCount;
                WriteRow(body, cells);
                if (count > 0 && body.WrittenCount + closing > _maxBytes)
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

            body.Write("]"u8);
            body.Write(_suffix);
            _nextRow = firstRow + count;
            return new Chunk(firstRow, count, _bodies!.TakeBody(body, FirstBodySize), null);
        }

        /// <summary>Writes <c>["cell",null,…]</c>; strings are escaped as <see cref="Utf8JsonWriter"/> escapes them.</summary>
        private void WriteRow(PooledBufferWriter body, string?[] cells)
        {
            body.Write("["u8);
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0)
                {
                    body.Write(","u8);
                }

                var cell = cells[i];
                if (cell is null)
                {
                    body.Write("null"u8);
                }
                else if (!cell.AsSpan().ContainsAnyExcept(PlainJsonChars))
                {
                    // Plain ASCII: one byte a character, nothing to escape.
                    var span = body.GetSpan(cell.Length + 2);
                    span[0] = (byte)'"';
                    Ascii.FromUtf16(cell, span[1..], out var written);
                    span[written + 1] = (byte)'"';
                    body.Advance(written + 2);
                }
                else
                {
                    // Anything else is written by the JSON writer with its default encoder.
                    var escaper = _escaper!;
                    escaper.Reset(body);
                    escaper.WriteStringValue(cell);
                    escaper.Flush();
                }
            }

            body.Write("]"u8);
        }

        private async ValueTask<Chunk?> ReadTableAsync()
        {
            var table = new ScoringTable(_columns);
            var rows = table.RawRows;
            var bytes = _envelopeBytes;
            var firstRow = _nextRow;
            if (_carried is not null)
            {
                rows.Add(_carried);
                bytes += _carriedBytes;
                _carried = null;
            }

            while (rows.Count < _chunkSize && !_exhausted)
            {
                if (!await _source.MoveNextAsync().ConfigureAwait(false))
                {
                    _exhausted = true;
                    break;
                }

                var cells = Cells(firstRow + rows.Count, out var borrowed);
                if (borrowed)
                {
                    // The table keeps the row after the next one is read.
                    cells = cells.AsSpan().ToArray();
                }

                var rowBytes = 2;
                foreach (var cell in cells)
                {
                    rowBytes += EstimateCellBytes(cell);
                }

                if (rows.Count > 0 && bytes + rowBytes > _maxBytes)
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
            return new Chunk(firstRow, rows.Count, null, table);
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208:Instantiate argument exceptions correctly", Justification = "The bad value came from the caller's rows argument.")]
        private string?[] Cells(long index, out bool borrowed)
        {
            var cells = _toCells(_source.Current, index, out borrowed);
            if (cells.Length != _columns.Length)
            {
                throw new ArgumentException(
                    $"Row {index} has {cells.Length} cells but there are {_columns.Length} columns ({string.Join(", ", _columns)}): give one cell per column, null for a missing value.",
                    "rows");
            }

            return cells;
        }
    }

    private sealed class Run<TResult>(IAzureMlClient client, AzureMlClient? direct, BulkScoringOptions options, Func<ScoringOutput, long, IReadOnlyList<TResult>> toResults)
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
            var (firstRow, count, body, table) = chunk;
            ScoringRequest? request = null;
            if (table is not null)
            {
                request = new ScoringRequest();
                request.Inputs[options.InputName] = table;
                foreach (var (name, value) in _parameters)
                {
                    request.GlobalParameters[name] = value;
                }
            }

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

                ScoringResult result;
                try
                {
                    result = request is null
                        ? await direct!.ExecuteJsonAsync(body!.CreateContent(), count, cancellationToken).ConfigureAwait(false)
                        : await client.ExecuteAsync(request, WithDetails, cancellationToken).ConfigureAwait(false);
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
                catch (AzureMlException ex) when (direct is not null && IsTransientAnswer(ex) && transients < options.MaxTransientRetries)
                {
                    // Only where the pipeline left the answer to the run (ExecuteJsonAsync): no second retry layer.
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
                var output = options.OutputName is null ? result.DefaultOutput : result.GetOutput(options.OutputName);
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

        /// <summary>An answer that may well succeed when sent again at once: 408, 500, 502, 504 (503 is throttling).</summary>
        private static bool IsTransientAnswer(AzureMlException ex) => ex.Status is 408 or 500 or 502 or 504;

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
