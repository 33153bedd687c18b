using System.Net.Http.Json;

namespace AzureMl.Client.Internal;

/// <summary>A request body that can be written again as it is (the client's own JSON bodies), so a handler may re-send it.</summary>
internal interface IReplayableContent
{
}

/// <summary>Makes a request's body safe to send twice, for handlers that re-send once (key failover, token refresh).</summary>
internal static class Replay
{
    public static async Task EnsureAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent or IReplayableContent)
        {
            return;
        }

        // Other contents (a stream, say) may not be readable twice: buffered in memory before the first send.
        await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
    }
}
