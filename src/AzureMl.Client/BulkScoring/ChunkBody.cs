using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace AzureMl.Client.Internal;

/// <summary>
/// Reusable buffers for the request bodies of one bulk run, so a long run allocates no body per chunk. A buffer goes
/// back only when nothing can still read it: see <see cref="ChunkBody"/>.
/// </summary>
internal sealed class ChunkBodyPool : ArrayPool<byte>
{
    private readonly ConcurrentQueue<byte[]> _free = new();

    /// <summary>How many buffers are free for reuse.</summary>
    internal int FreeCount => _free.Count;

    /// <summary>A free buffer of at least <paramref name="minimumLength"/> bytes, or a new one.</summary>
    public override byte[] Rent(int minimumLength)
    {
        while (_free.TryDequeue(out var candidate))
        {
            if (candidate.Length >= minimumLength)
            {
                return candidate;
            }
        }

        return GC.AllocateUninitializedArray<byte>(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (clearArray)
        {
            Array.Clear(array);
        }

        _free.Enqueue(array);
    }

    /// <summary>
    /// What <paramref name="writer"/> (writing into this pool's buffers) holds, as a chunk's body, without a copy; the
    /// writer goes on in a buffer sized for a body like this one (with an eighth to spare), so the chunks of a run fit
    /// their buffers without growing them.
    /// </summary>
    public ChunkBody TakeBody(PooledBufferWriter writer, int minimumNextSize)
    {
        var written = writer.WrittenCount;
        var buffer = writer.Detach(Math.Max(minimumNextSize, written + (written / 8)), out var length);
        return new ChunkBody(this, buffer, length);
    }
}

/// <summary>
/// One chunk's request body in a pooled buffer, counted by its users: the chunk holds one reference until its call
/// has ended, and every write of the body to a connection holds another while it runs. The buffer is reused only
/// after the last one is let go, so a late write (of a call that was abandoned) never sends another chunk's rows.
/// </summary>
internal sealed class ChunkBody
{
    private readonly ChunkBodyPool _pool;
    private readonly byte[] _buffer;
    private int _references = 1;

    internal ChunkBody(ChunkBodyPool pool, byte[] buffer, int length)
    {
        _pool = pool;
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    /// <summary>A content that writes this body with its length; it can be sent more than once (retries).</summary>
    public HttpContent CreateContent(MediaTypeHeaderValue contentType) => new ChunkBodyContent(this, contentType);

    /// <summary>Lets go of the chunk's own reference.</summary>
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

/// <summary>Writes a <see cref="ChunkBody"/> with its length, holding a reference to it while it writes.</summary>
internal sealed class ChunkBodyContent : HttpContent, IReplayableContent
{
    private readonly ChunkBody _body;

    public ChunkBodyContent(ChunkBody body, MediaTypeHeaderValue contentType)
    {
        _body = body;
        Headers.ContentType = contentType;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (!_body.TryAcquire())
        {
            throw new InvalidOperationException("The chunk's request body was sent after its call had ended.");
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
