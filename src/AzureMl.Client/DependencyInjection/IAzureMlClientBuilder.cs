namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>AddAzureMlClient</c>: configures one registered client further — its HTTP pipeline,
/// gateway keys, resilience.
/// </summary>
public interface IAzureMlClientBuilder
{
    /// <summary>The client's name: empty for the default client, else the key it is resolved with.</summary>
    string Name { get; }

    /// <summary>The service collection the client is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>The named <see cref="System.Net.Http.HttpClient"/> the client sends through; add your own handlers here.</summary>
    IHttpClientBuilder HttpClientBuilder { get; }
}
