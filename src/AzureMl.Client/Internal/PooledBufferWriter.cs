using System.Buffers;

namespace AzureMl.Client.Internal;

/// <summary>An <see cref="IBufferWriter{T}"/> over pooled arrays, so writing a body allocates no buffer per call.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialSize = 4096)
        : this(ArrayPool<byte>.Shared, initialSize)
    {
    }

    /// <param name="pool">Where the buffers come from and go back to.</param>
    /// <param name="initialSize">The size of the first buffer.</param>
    public PooledBufferWriter(ArrayPool<byte> pool, int initialSize)
    {
        _pool = pool;
        _buffer = pool.Rent(initialSize);
    }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

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
    /// Hands over the buffer with what was written (the caller returns it to the pool when done with it) and goes on
    /// empty in a new buffer of at least <paramref name="nextSize"/> bytes.
    /// </summary>
    public byte[] Detach(int nextSize, out int length)
    {
        var buffer = _buffer;
        length = _written;
        _buffer = _pool.Rent(nextSize);
        _written = 0;
        return buffer;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 256);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = _pool.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        _pool.Return(_buffer);
        _buffer = bigger;
    }
}
