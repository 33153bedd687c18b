using AzureMl.Client.Internal;

namespace AzureMl.Client.Resilience;

/// <summary>
/// Reads the whole answer of operations that are safe to repeat inside the attempt, so a connection that breaks
/// mid-body or a body slower than the attempt timeout is retried like any other transient failure.
/// </summary>
internal sealed class ResponseBufferingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || !AzureMlRequestOptions.TryGetOperation(request, out var operation) || !operation.IsIdempotent())
        {
            return response;
        }

        try
        {
            // Into a pooled buffer that the scoring parser takes over, so the body is held once, not copied.
            var body = await PooledBody.ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var original = response.Content;
            response.Content = new PooledBodyContent(body, original);
            original.Dispose();
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
