using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace AzureMl.Client.Internal;

/// <summary>
/// Reusable buffers for the request bodies of one bulk run, so a long run allocates no body per batch. A buffer goes
/// back only when nothing can still read it: see <see cref="BatchBody"/>.
/// </summary>
internal sealed class BatchBodyPool
{
    private readonly ConcurrentQueue<byte[]> _free = new();

    /// <summary>How many buffers are free for reuse.</summary>
    internal int FreeCount => _free.Count;

    /// <summary>A free buffer of at least <paramref name="minimum"/> bytes, or a new one.</summary>
    public byte[] RentBuffer(int minimum)
    {
        while (_free.TryDequeue(out var candidate))
        {
            if (candidate.Length >= minimum)
            {
                return candidate;
            }
        }

        return GC.AllocateUninitializedArray<byte>(minimum);
    }

    internal void Return(byte[] buffer) => _free.Enqueue(buffer);
}

/// <summary>
/// Writes one batch's body at a time into a buffer of the pool, and hands the buffer over as the batch's
/// <see cref="BatchBody"/> without copying it.
/// </summary>
internal sealed class BatchBodyWriter(BatchBodyPool pool, int initialSize) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = pool.RentBuffer(initialSize);
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Clear() => _written = 0;

    /// <summary>Drops what was written after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _written);
        _written = length;
    }

    /// <summary>
    /// The body written so far, as a batch's body; the writer goes on empty, in another buffer sized for a body like
    /// this one (with an eighth to spare), so batches of a run fit their buffers without growing them.
    /// </summary>
    public BatchBody Detach()
    {
        var body = new BatchBody(pool, _buffer, _written);
        _buffer = pool.RentBuffer(Math.Max(initialSize, _written + (_written / 8)));
        _written = 0;
        return body;
    }

    public void Dispose()
    {
        pool.Return(_buffer);
        _buffer = [];
        _written = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 256);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = pool.RentBuffer(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        pool.Return(_buffer);
        _buffer = bigger;
    }
}

/// <summary>
/// One batch's request body in a pooled buffer, counted by its users: the batch holds one reference until its call
/// has ended, and every write of the body to a connection holds another while it runs. The buffer is reused only
/// after the last one is let go, so a late write (of a call that was abandoned) never sends another batch's rows.
/// </summary>
internal sealed class BatchBody
{
    private readonly BatchBodyPool _pool;
    private readonly byte[] _buffer;
    private int _references = 1;

    internal BatchBody(BatchBodyPool pool, byte[] buffer, int length)
    {
        _pool = pool;
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    /// <summary>A content that writes this body with its length; it can be sent more than once (retries).</summary>
    public HttpContent CreateContent() => new BatchBodyContent(this);

    /// <summary>Lets go of the batch's own reference.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _pool.Return(_buffer);
        }
    }

    internal ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    internal bool TryAcquire()
    {
        var seen = Volatile.Read(ref _references);
        while (seen > 0)
        {
            var before = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (before == seen)
            {
                return true;
            }

            seen = before;
        }

        return false;
    }
}

/// <summary>Writes a <see cref="BatchBody"/> with its length, holding a reference to it while it writes.</summary>
internal sealed class BatchBodyContent : HttpContent
{
    private readonly BatchBody _body;

    public BatchBodyContent(BatchBody body)
    {
        _body = body;
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (!_body.TryAcquire())
        {
            throw new InvalidOperationException("The batch's request body was sent after its call had ended.");
        }

        try
        {
            await stream.WriteAsync(_body.Memory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _body.Release();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
