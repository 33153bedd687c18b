using System.Net;

namespace AzureMl.Client.Internal;

/// <summary>
/// A response body already read whole into a pooled buffer (by the resilience pipeline, so a broken body is
/// retried). The scoring parser takes the buffer over instead of copying it; any other reader gets a stream on it.
/// </summary>
internal sealed class PooledBodyContent : HttpContent
{
    private PooledBody? _body;

    public PooledBodyContent(PooledBody? body, HttpContent original)
    {
        _body = body;
        foreach (var header in original.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>Hands the buffer to the caller, who then disposes it; later reads of this content see no body.</summary>
    public PooledBody? TakeBody() => Interlocked.Exchange(ref _body, null);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_body is { } body)
        {
            await stream.WriteAsync(body.Memory, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() =>
        Task.FromResult<Stream>(_body is { } body ? body.AsStream() : Stream.Null);

    protected override bool TryComputeLength(out long length)
    {
        length = _body?.Memory.Length ?? 0;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            TakeBody()?.Dispose();
        }

        base.Dispose(disposing);
    }
}
