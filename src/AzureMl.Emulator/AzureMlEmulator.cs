using System.Net;
using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzureMl.Emulator;

/// <summary>
/// A local emulator of Azure Machine Learning Studio (classic) web services on a loopback port:
/// request-response scoring, batch jobs on blob storage, managed online endpoints, and optionally an API Management front.
/// </summary>
public sealed class AzureMlEmulator : IAsyncDisposable
{
    private static readonly string[] ServicePrefixes =
    [
        $"workspaces/{{{ServiceGateFilter.WorkspaceRoute}}}/services/{{{ServiceGateFilter.ServiceRoute}}}",
        $"subscriptions/{{sub}}/services/{{{ServiceGateFilter.ServiceRoute}}}",
    ];

    private readonly WebApplication _app;
    private readonly JobRunner _runner;
    private readonly AzuriteInstance? _azurite;
    private readonly EmulatorCounters _counters;
    private readonly Dictionary<string, ServiceState> _services;
    private readonly Dictionary<string, OnlineEndpointState> _onlineEndpoints;
    private readonly EmulatorTokenIssuer _tokens;
    private int _disposed;

    private AzureMlEmulator(
        WebApplication app, JobRunner runner, AzuriteInstance? azurite, EmulatorCounters counters, Dictionary<string, ServiceState> services,
        AzureMlEmulatorOptions options, Uri baseAddress, string storageConnectionString, EmulatorFaults faults,
        Dictionary<string, OnlineEndpointState> onlineEndpoints, EmulatorTokenIssuer tokens)
    {
        _onlineEndpoints = onlineEndpoints;
        _tokens = tokens;
        TokenCredential = new EmulatorTokenCredential(tokens);
        OnlineScoringUri = options.OnlineEndpoints.Count > 0 ? OnlineUri(baseAddress, options, options.OnlineEndpoints[0].Name, "score") : null;
        _app = app;
        _runner = runner;
        _azurite = azurite;
        _counters = counters;
        _services = services;
        BaseAddress = baseAddress;
        ServiceRoot = options.Gateway is { } gateway ? new Uri(baseAddress, gateway.Suffix.Trim('/') + "/") : baseAddress;
        WorkspaceId = options.WorkspaceId;
        ServiceId = options.ServiceId;
        ApiKey = options.ApiKey;
        PrimarySubscriptionKey = options.Gateway?.PrimaryKey;
        SecondarySubscriptionKey = options.Gateway?.SecondaryKey;
        StorageConnectionString = storageConnectionString;
        Faults = faults;
    }

    /// <summary>Gets the address the emulator listens on, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the root that service paths append to: <see cref="BaseAddress"/> plus the gateway suffix and <c>/</c> when a gateway is configured.</summary>
    public Uri ServiceRoot { get; }

    /// <summary>Gets the main service's address, <c>{ServiceRoot}workspaces/{workspace}/services/{service}</c>, without a trailing slash.</summary>
    public Uri ServiceUri => GetServiceUri(ServiceId);

    /// <summary>Gets the workspace id.</summary>
    public string WorkspaceId { get; }

    /// <summary>Gets the main service's id.</summary>
    public string ServiceId { get; }

    /// <summary>Gets the main service's API key.</summary>
    public string ApiKey { get; }

    /// <summary>Gets the gateway's primary subscription key, or <see langword="null"/> without a gateway.</summary>
    public string? PrimarySubscriptionKey { get; }

    /// <summary>Gets the gateway's secondary subscription key, or <see langword="null"/> when there is none.</summary>
    public string? SecondarySubscriptionKey { get; }

    /// <summary>Gets the connection string of the emulator's storage (Azurite's when the emulator started it), which jobs and callers can use.</summary>
    public string StorageConnectionString { get; }

    /// <summary>Gets the faults to inject into the next calls.</summary>
    public EmulatorFaults Faults { get; }

    /// <summary>Gets the first online endpoint's scoring URI, <c>{ServiceRoot}onlineEndpoints/{name}/score</c>, or <see langword="null"/> when none is hosted.</summary>
    public Uri? OnlineScoringUri { get; }

    /// <summary>
    /// Gets a credential whose Microsoft Entra tokens the emulator accepts: for <see cref="OnlineEndpointAuthMode.EntraToken"/>
    /// endpoints (scope <c>https://ml.azure.com/.default</c>) and the emulated control plane
    /// (<c>https://management.azure.com/.default</c>). Tokens last an hour on <see cref="AzureMlEmulatorOptions.TimeProvider"/>.
    /// </summary>
    public EmulatorTokenCredential TokenCredential { get; }

    /// <summary>Gets the peak number of request-response calls that ran at once since start or <see cref="ResetCounters"/>.</summary>
    public int PeakConcurrentRequests => _counters.Peak;

    /// <summary>Starts an emulator.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static async Task<AzureMlEmulator> StartAsync(AzureMlEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzureMlEmulatorOptions();
        options.ThrowIfInvalid(nameof(options));
        var azurite = options.StorageConnectionString is null ? await AzuriteInstance.StartAsync(options.Azurite, cancellationToken).ConfigureAwait(false) : null;
        try
        {
            return await StartCoreAsync(options, azurite, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Gets the address of a hosted service.</summary>
    /// <param name="serviceId">The service id.</param>
    /// <returns><c>{ServiceRoot}workspaces/{workspace}/services/{serviceId}</c>.</returns>
    public Uri GetServiceUri(string serviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        return new Uri(ServiceRoot, $"workspaces/{WorkspaceId}/services/{Uri.EscapeDataString(serviceId)}");
    }

    /// <summary>Gets an online endpoint's scoring URI.</summary>
    /// <param name="endpointName">The endpoint name.</param>
    /// <returns><c>{ServiceRoot}onlineEndpoints/{endpointName}/score</c>.</returns>
    public Uri GetOnlineScoringUri(string endpointName)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointName);
        return new Uri(ServiceRoot, $"onlineEndpoints/{Uri.EscapeDataString(endpointName)}/score");
    }

    /// <summary>Gets an online endpoint's current key (it changes with <see cref="RegenerateKey"/>).</summary>
    /// <param name="endpointName">The endpoint name.</param>
    /// <param name="keyType">Which key.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The emulator hosts no such endpoint.</exception>
    public string GetOnlineEndpointKey(string endpointName, KeyType keyType = KeyType.Primary) => Endpoint(endpointName).Key(keyType);

    /// <summary>Replaces one of an online endpoint's keys with a new random one; calls with the old key are answered 401 from now on.</summary>
    /// <param name="endpointName">The endpoint name.</param>
    /// <param name="keyType">Which key.</param>
    /// <returns>The new key.</returns>
    /// <exception cref="ArgumentException">The emulator hosts no such endpoint.</exception>
    public string RegenerateKey(string endpointName, KeyType keyType) => Endpoint(endpointName).Regenerate(keyType);

    /// <summary>
    /// The Resource Manager resource id of a hosted online endpoint, for <c>UseAmlToken</c> with
    /// <see cref="ManagementEndpoint"/> and <see cref="TokenCredential"/>: the emulator answers its <c>listKeys</c>,
    /// <c>token</c> and <c>regenerateKeys</c> operations.
    /// </summary>
    /// <param name="endpointName">The endpoint's name.</param>
    /// <returns><c>/subscriptions/…/onlineEndpoints/{endpointName}</c>.</returns>
    public string GetOnlineEndpointResourceId(string endpointName) =>
        $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.MachineLearningServices/workspaces/{WorkspaceId}/onlineEndpoints/{Endpoint(endpointName).Name}";

    /// <summary>The root of the emulated Resource Manager operations (the emulator's own address, never the gateway's).</summary>
    public Uri ManagementEndpoint => BaseAddress;

    /// <summary>Issues a Microsoft Entra access token the emulator accepts, valid for an hour on <see cref="AzureMlEmulatorOptions.TimeProvider"/>.</summary>
    /// <param name="scope">The scope: <c>https://ml.azure.com/.default</c> (the default) for scoring, <c>https://management.azure.com/.default</c> for the control plane.</param>
    /// <returns>The token and its expiry.</returns>
    public AccessToken IssueEntraToken(string scope = "https://ml.azure.com/.default")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        var (token, expiresOn) = _tokens.Issue(EmulatorTokenIssuer.AudienceOf(scope));
        return new AccessToken(token, expiresOn);
    }

    /// <summary>Counts the calls received on a route, including those answered by a fault or an error.</summary>
    /// <param name="route">The route.</param>
    /// <param name="serviceId">The service, or for online endpoint routes the endpoint name; <see langword="null"/> for all.</param>
    /// <returns>The count since start or <see cref="ResetCounters"/>.</returns>
    public int ReceivedCount(EmulatorRoute route, string? serviceId = null) => _counters.Count(route, serviceId);

    /// <summary>Clears the received counts and <see cref="PeakConcurrentRequests"/>.</summary>
    public void ResetCounters() => _counters.Reset();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Calls still running after a short grace period are aborted: a blocked model must not hold up disposal.
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }

        await _runner.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (var service in _services.Values)
        {
            service.Dispose();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"AzureML emulator at {ServiceRoot}";

    private static Uri OnlineUri(Uri baseAddress, AzureMlEmulatorOptions options, string endpointName, string operation)
    {
        var root = options.Gateway is { } gateway ? new Uri(baseAddress, gateway.Suffix.Trim('/') + "/") : baseAddress;
        return new Uri(root, $"onlineEndpoints/{Uri.EscapeDataString(endpointName)}/{operation}");
    }

    private OnlineEndpointState Endpoint(string endpointName)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointName);
        return _onlineEndpoints.TryGetValue(endpointName, out var state)
            ? state
            : throw new ArgumentException($"The emulator hosts no online endpoint '{endpointName}'.", nameof(endpointName));
    }

    private static async Task<AzureMlEmulator> StartCoreAsync(AzureMlEmulatorOptions options, AzuriteInstance? azurite, CancellationToken cancellationToken)
    {
        var storage = azurite?.ConnectionString ?? options.StorageConnectionString!;
        var locator = new BlobLocator(options.BlobClientOptions);
        BlobServiceClient ownStorage;
        try
        {
            ownStorage = new BlobServiceClient(storage, locator.ClientOptions);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException("StorageConnectionString is not a valid storage connection string.", nameof(options), e);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AzureMlEmulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Above the service's own limit, so an oversized scoring call is answered in the service's shape.
            kestrel.Limits.MaxRequestBodySize = Math.Max(30_000_000L, options.MaxRequestBytes + (1024L * 1024));
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });

        var app = builder.Build();
        var logger = options.LoggerFactory?.CreateLogger<AzureMlEmulator>() ?? (ILogger)NullLogger.Instance;
        var counters = new EmulatorCounters();
        var faults = new EmulatorFaults();
        var services = options.AllServices().ToDictionary(
            s => s.Id, s => new ServiceState(s, options.MaxConcurrentJobs), StringComparer.OrdinalIgnoreCase);
        var gate = new ServiceGateFilter(options.WorkspaceId, services);
        var runner = new JobRunner(locator, ownStorage, options.ResultsContainer, options.TimeProvider, logger);
        var onlineEndpoints = options.OnlineEndpoints.ToDictionary(e => e.Name, e => new OnlineEndpointState(e), StringComparer.OrdinalIgnoreCase);
        var tokens = new EmulatorTokenIssuer(options.TimeProvider);
        var score = new ScoreHandler(onlineEndpoints, tokens, options.MaxRequestBytes);
        var front = options.Gateway is { } gatewayOptions
            ? new GatewayFront(gatewayOptions, options.TimeProvider, c =>
                gate.Find(c)?.Service.ApiKey
                ?? (score.Find(c) is { AuthMode: OnlineEndpointAuthMode.Key } endpoint ? endpoint.Key(KeyType.Primary) : null))
            : null;
        Uri? realm = null;

        app.UseRouting();
        app.Use(async (context, next) =>
        {
            var tag = context.GetEndpoint()?.Metadata.GetMetadata<RouteTag>();
            if (tag is null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var serviceId = context.GetRouteValue(ServiceGateFilter.ServiceRoute) as string ?? context.GetRouteValue(ScoreHandler.EndpointRoute) as string ?? string.Empty;
            counters.Received(tag.Route, serviceId);
            RequestDelegate serve = front is null
                ? next
                : async c =>
                {
                    if (await front.AdmitAsync(c, realm!).ConfigureAwait(false))
                    {
                        await next(c).ConfigureAwait(false);
                    }
                };
            try
            {
                if (faults.Take(tag.Route, serviceId) is { } fault)
                {
                    await FaultInjector.ApplyAsync(context, fault, options.TimeProvider, serve).ConfigureAwait(false);
                }
                else
                {
                    await serve(context).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (CallerGone.WentAway(context, e))
            {
                // An ordinary event, not the emulator's failure: nobody is left to answer, so Kestrel must not try either.
                Log.CallerWentAway(logger, context.Request.Method, tag.Route.ToString(), e.GetType().Name);
                context.Abort();
            }
            catch (ServiceErrorException e) when (!context.Response.HasStarted)
            {
                await e.Error.WriteAsync(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                // A malformed or too slow body from a caller that is still there: its fault, answered in the service's shape.
                Log.BadRequestBody(logger, context.Request.Method, tag.Route.ToString(), e.StatusCode, e.Message);
                var error = e.StatusCode == StatusCodes.Status400BadRequest
                    ? ServiceError.RequestBodyInvalid($"The request body could not be read: {e.Message}")
                    : new ServiceError(e.StatusCode, ServiceError.ClassFor(e.StatusCode).Code, ServiceError.ClassFor(e.StatusCode).Detail, $"The request body could not be read: {e.Message}");
                await error.WriteAsync(context).ConfigureAwait(false);
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                Log.Unhandled(logger, e, context.Request.Method, tag.Route.ToString());
                await new ServiceError(StatusCodes.Status500InternalServerError, "InternalError", "InternalError", "The emulator failed to serve the request.").WriteAsync(context).ConfigureAwait(false);
            }
        });

        var execute = new ExecuteHandler(counters, options.MaxConcurrentRequests, options.MaxRequestBytes, options.ExecutionTimeout, options.TimeProvider);
        var batch = new BatchHandlers(runner, locator);
        IEndpointRouteBuilder root = options.Gateway is { } gateway ? app.MapGroup("/" + gateway.Suffix.Trim('/')) : app;
        foreach (var prefix in ServicePrefixes)
        {
            // The classic service routes, each behind the service gate: a call that fails its checks never reaches the handler.
            var service = root.MapGroup(prefix).AddEndpointFilter(gate);
            service.MapPost("/execute", execute.HandleAsync).WithMetadata(new RouteTag(EmulatorRoute.Execute));
            service.MapPost("/jobs", batch.SubmitAsync).WithMetadata(new RouteTag(EmulatorRoute.Submit));
            service.MapPost($"/jobs/{{{BatchHandlers.JobRoute}}}/start", batch.StartAsync).WithMetadata(new RouteTag(EmulatorRoute.Start));
            service.MapGet($"/jobs/{{{BatchHandlers.JobRoute}}}", BatchHandlers.StatusAsync).WithMetadata(new RouteTag(EmulatorRoute.Status));
            service.MapDelete($"/jobs/{{{BatchHandlers.JobRoute}}}", batch.DeleteAsync).WithMetadata(new RouteTag(EmulatorRoute.Delete));
        }

        root.MapPost($"onlineEndpoints/{{{ScoreHandler.EndpointRoute}}}/score", score.ScoreAsync).WithMetadata(new RouteTag(EmulatorRoute.Score));
        root.MapGet($"onlineEndpoints/{{{ScoreHandler.EndpointRoute}}}/swagger.json", score.SwaggerAsync).WithMetadata(new RouteTag(EmulatorRoute.OnlineSwagger));

        // Resource Manager lives on its own host in Azure: here at the root, never behind the gateway.
        var management = new ResourceManagerHandler(onlineEndpoints, tokens);
        app.MapPost(ResourceManagerHandler.Route + "/listKeys", management.ListKeysAsync);
        app.MapPost(ResourceManagerHandler.Route + "/token", management.TokenAsync);
        app.MapPost(ResourceManagerHandler.Route + "/regenerateKeys", management.RegenerateKeysAsync);

        app.MapFallback(context => front is not null
            ? GatewayErrors.WriteAsync(context.Response, StatusCodes.Status404NotFound, "Resource not found", context.RequestAborted)
            : new ServiceError(StatusCodes.Status404NotFound, "NotFound", "WebServiceNotFound", "No web service operation matches this method and path.").WriteAsync(context));

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var baseAddress = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
            var emulator = new AzureMlEmulator(app, runner, azurite, counters, services, options, baseAddress, storage, faults, onlineEndpoints, tokens);
            realm = emulator.ServiceRoot;
            Log.Started(logger, baseAddress);
            return emulator;
        }
        catch
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
