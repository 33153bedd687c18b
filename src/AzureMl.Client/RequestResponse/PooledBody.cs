using System.Buffers;

namespace AzureMl.Client.Internal;

/// <summary>A response body read whole into a pooled buffer, so it can be parsed in one pass without copies.</summary>
internal sealed class PooledBody : IDisposable
{
    private const int InitialSize = 16 * 1024;

    // A hint never rents more than this up front; a larger body grows the buffer as it arrives.
    private const int MaxHintedSize = 16 * 1024 * 1024;
    private byte[] _buffer;
    private int _length;

    private PooledBody(byte[] buffer) => _buffer = buffer;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>A read-only stream over the body, without a copy; valid until this body is disposed.</summary>
    public Stream AsStream() => new MemoryStream(_buffer, 0, _length, writable: false);

    /// <summary>Reads <paramref name="content"/> whole.</summary>
    /// <param name="content">The body.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <param name="sizeHint">
    /// The size to start with when the body has no Content-Length (a chunked answer), e.g. the size of the previous
    /// answer of the same kind, so a body like it is read without growing the buffer.
    /// </param>
    /// <param name="maxBytes">Reads at most this many bytes; the rest of a longer body is left unread.</param>
    public static async Task<PooledBody> ReadAsync(HttpContent content, CancellationToken cancellationToken, int sizeHint = 0, int maxBytes = int.MaxValue)
    {
        // Already read into a pooled buffer by the resilience pipeline: take it over rather than copy it.
        if (content is PooledBodyContent pooled && pooled.TakeBody() is { } taken)
        {
            return taken;
        }

        var expected = content.Headers.ContentLength;
        var size = expected is > 0 and < int.MaxValue - 1 ? (int)expected.Value + 1 : Math.Clamp(sizeHint, InitialSize, MaxHintedSize);
        size = (int)Math.Min(size, (long)maxBytes + 1);
        var body = new PooledBody(ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (body._length < maxBytes
                    && (read = await stream.ReadAsync(body._buffer.AsMemory(body._length, Math.Min(body._buffer.Length, maxBytes) - body._length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    body._length += read;
                    if (body._length == body._buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(body._buffer.Length * 2);
                        body._buffer.AsSpan(0, body._length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(body._buffer);
                        body._buffer = bigger;
                    }
                }
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
