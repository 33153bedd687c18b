namespace AzureMl.Client;

/// <summary>
/// Keys the client sets in <see cref="HttpRequestMessage.Options"/> so that handlers in the pipeline
/// (resilience, gateway keys, your own) can tell which operation a request performs.
/// </summary>
public static class AzureMlRequestOptions
{
    /// <summary>The <see cref="AzureMlOperation"/> of the request.</summary>
    public static readonly HttpRequestOptionsKey<AzureMlOperation> Operation = new("AzureMl.Operation");

    /// <summary>Tries to read the operation the client stamped on <paramref name="request"/>.</summary>
    /// <param name="request">The outgoing request.</param>
    /// <param name="operation">The operation, when present.</param>
    /// <returns><see langword="true"/> when the request came from an <see cref="AzureMlClient"/>.</returns>
    public static bool TryGetOperation(HttpRequestMessage request, out AzureMlOperation operation)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(Operation, out operation);
    }
}
