using System.Diagnostics;
using System.Net.Http.Headers;
using AzureMl.Client.Internal;
using AzureMl.Client.Resilience;
using AzureMl.Client.Transport;
using Microsoft.Extensions.Logging;

namespace AzureMl.Client;

/// <summary>
/// The client for one Azure ML Studio (classic) web service. Thread-safe; create one per service and reuse it,
/// or register it with <c>services.AddAzureMlClient(…)</c>.
/// </summary>
[DebuggerDisplay("AzureMlClient {ServiceUri}")]
public sealed partial class AzureMlClient : IAzureMlClient, IBulkScoringSource
{
    private static readonly MediaTypeWithQualityHeaderValue JsonAccept = new("application/json");

    private readonly AzureMlTransport _transport;
    private volatile Binding _binding;

    /// <summary>Creates a client that sends through <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">
    /// The HTTP client. Its handlers (resilience, gateway keys) apply to every call; its <see cref="HttpClient.BaseAddress"/> is not used.
    /// </param>
    /// <param name="options">The service settings; copied and validated here.</param>
    /// <param name="timeProvider">The clock for polling and waits. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message names each setting to fix.</exception>
    public AzureMlClient(HttpClient httpClient, AzureMlClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(nameof(options));
        _binding = new Binding(options.Clone());
        TimeProvider = timeProvider ?? TimeProvider.System;
        BatchRunContext.Register(this, TimeProvider);
        _transport = new AzureMlTransport(httpClient, () => ServiceId, TimeProvider, (response, operation, jobId, ct) =>
            ErrorResponseReader.ReadAsync(response, operation, TimeProvider, jobId, ct))
        {
            SizeHint = operation => operation == AzureMlOperation.Execute ? ExecuteBodyHint() : 0,
        };
    }

    /// <inheritdoc />
    public Uri ServiceUri => _binding.ServiceUri;

    /// <summary>The service id this client is bound to.</summary>
    public string ServiceId => _binding.Options.ServiceId!;

    /// <summary>The clock the client uses for polling and waits.</summary>
    internal TimeProvider TimeProvider { get; }

    internal AzureMlClientOptions Options => _binding.Options;

    /// <summary>
    /// Binds the client to new settings (a configuration reload of a DI-registered client): calls that start after
    /// this use them; calls in flight finish with the old ones. Invalid settings are refused and the old ones kept.
    /// </summary>
    internal void Rebind(AzureMlClientOptions options)
    {
        options.ThrowIfInvalid(nameof(options));
        _binding = new Binding(options.Clone());
    }

    /// <summary>Where the client writes its per-operation log lines (category <c>AzureMl.Client</c>).</summary>
    internal ILogger Logger
    {
        get => _transport.Logger;
        init => _transport.Logger = value;
    }

    /// <summary>The resilience settings of the pipeline this client sends through, when it was built by DI (for messages).</summary>
    internal Func<AzureMlResilienceOptions?>? ResilienceOptions
    {
        get => _transport.ResilienceOptions;
        init => _transport.ResilienceOptions = value;
    }

    /// <summary>Builds a request for <c>{service}/{relativePath}?api-version=…[&amp;extraQuery]</c> with auth and operation stamped.</summary>
    internal HttpRequestMessage CreateRequest(HttpMethod method, AzureMlOperation operation, string relativePath, string? extraQuery = null)
    {
        var binding = _binding;
        var url = relativePath.Length == 0 ? binding.ServiceUriText : binding.ServiceUriText + "/" + relativePath;
        url += "?" + binding.ApiVersionQuery;
        if (!string.IsNullOrEmpty(extraQuery))
        {
            url += "&" + extraQuery;
        }

        var request = new HttpRequestMessage(method, new Uri(url, UriKind.Absolute));
        request.Headers.Accept.Add(JsonAccept);
        if (binding.Authorization is not null)
        {
            request.Headers.Authorization = binding.Authorization;
        }

        // A request without content is re-sent by the socket handler, below every retry layer and uncounted, when its
        // pooled connection closes before an answer. A request with content (even empty) never is: so every request
        // has one, and only the client's own pipeline decides what is sent again.
        request.Content = new ByteArrayContent([]);
        request.Options.Set(AzureMlRequestOptions.Operation, operation);
        return request;
    }

    /// <summary>
    /// Sends <paramref name="request"/> through the transport and returns the successful answer, its body already
    /// read. Failed answers and transport failures become <see cref="AzureMlException"/>.
    /// </summary>
    internal Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, AzureMlOperation operation, string? jobId, CancellationToken cancellationToken) =>
        _transport.SendAsync(request, operation, jobId, cancellationToken);

    /// <summary>What one set of settings makes of every request: the service URL, the api-version query, the key header.</summary>
    private sealed class Binding
    {
        public Binding(AzureMlClientOptions options)
        {
            Options = options;
            var root = options.Endpoint!.AbsoluteUri.TrimEnd('/');
            var owner = options.PathStyle == AzureMlPathStyle.Workspace
                ? "workspaces/" + options.WorkspaceId
                : "subscriptions/" + options.SubscriptionId;
            ServiceUriText = $"{root}/{owner}/services/{options.ServiceId}";
            ServiceUri = new Uri(ServiceUriText, UriKind.Absolute);
            ApiVersionQuery = "api-version=" + Uri.EscapeDataString(options.ApiVersion);
            if (!string.IsNullOrEmpty(options.ApiKey))
            {
                Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
            }
        }

        public AzureMlClientOptions Options { get; }

        public string ServiceUriText { get; }

        public Uri ServiceUri { get; }

        public string ApiVersionQuery { get; }

        public AuthenticationHeaderValue? Authorization { get; }
    }
}
