namespace AzureMl.Client;

/// <summary>
/// A client bound to one Azure ML Studio (classic) web service: request-response scoring and the batch job
/// lifecycle. Implemented by <see cref="AzureMlClient"/>; mock this interface in your own tests, or run them
/// against the AzureMl emulator.
/// </summary>
/// <remarks>The members are declared per feature in partial files (request-response, batch).</remarks>
public partial interface IAzureMlClient
{
    /// <summary>The URI of the web service this client is bound to (no query string, no secrets).</summary>
    Uri ServiceUri { get; }
}
