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
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
