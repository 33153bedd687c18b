using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AzureMl.Client.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using WireMock.Server;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>A DI-built client against a WireMock server, with fake logging and optionally fake time.</summary>
internal sealed class TestHost : IDisposable
{
    public const string MlKey = TestIds.ApiKey;
    public const string WorkspaceId = TestIds.WorkspaceId;
    public const string ServiceId = TestIds.ServiceId;
    public const string JobId = TestIds.JobId;

    private readonly ServiceProvider _provider;
    private readonly Func<int> _serverCount;

    public TestHost(WireMockServer server, FakeTimeProvider? time = null, Action<IAzureMlClientBuilder>? configure = null, Action<AzureMlResilienceOptions>? resilience = null, Action<IAzureMlClientBuilder>? online = null)
        : this(server.Url!, () => server.LogEntries.Count, time, configure, resilience, online: online)
    {
        Server = server;
    }

    public TestHost(string url, Func<int> serverCount, FakeTimeProvider? time = null, Action<IAzureMlClientBuilder>? configure = null, Action<AzureMlResilienceOptions>? resilience = null, string serviceId = ServiceId, Action<IAzureMlClientBuilder>? online = null)
    {
        _serverCount = serverCount;
        Time = time;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
        if (time is not null)
        {
            services.AddSingleton<TimeProvider>(time);
        }

        var builder = services.AddAzureMlClient(o =>
        {
            o.Endpoint = new Uri(url);
            o.WorkspaceId = WorkspaceId;
            o.ServiceId = serviceId;
            o.ApiKey = MlKey;
        });
        void Resilience(AzureMlResilienceOptions o)
        {
            o.MaxRetryAttempts = 2;
            o.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.MaxDelay = TimeSpan.FromMilliseconds(5);
            o.AttemptTimeout = time is null ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(10);
            o.TotalTimeout = time is null ? TimeSpan.FromSeconds(20) : TimeSpan.FromMinutes(30);
            resilience?.Invoke(o);
        }

        builder.ConfigureResilience(Resilience);
        builder.HttpClientBuilder.AddHttpMessageHandler(() => new ExtraQueryHandler());
        configure?.Invoke(builder);

        // The online endpoint client of the same test, on the same server (at /score) with the same resilience.
        var onlineBuilder = services.AddAzureMlOnlineEndpoint(OnlineName, o =>
        {
            o.ScoringUri = new Uri(url.TrimEnd('/') + "/score");
            o.PrimaryKey = online is null ? MlKey : null;
        }).ConfigureResilience(Resilience);
        online?.Invoke(onlineBuilder);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Client = (AzureMlClient)_provider.GetRequiredService<IAzureMlClient>();
    }

    public WireMockServer? Server { get; }

    public FakeTimeProvider? Time { get; }

    public AzureMlClient Client { get; }

    public const string OnlineName = "online";

    /// <summary>The online endpoint client registered beside <see cref="Client"/>, sending to <c>/score</c> on the same server.</summary>
    public AzureMl.Client.OnlineEndpoints.IOnlineEndpointClient Online => _provider.GetRequiredKeyedService<AzureMl.Client.OnlineEndpoints.IOnlineEndpointClient>(OnlineName);

    public IServiceProvider Services => _provider;

    public FakeLogCollector Logs => _provider.GetFakeLogCollector();

    public static (HttpMethod Method, string RelativePath, string WirePath) Route(AzureMlOperation operation)
    {
        var root = $"/workspaces/{WorkspaceId}/services/{ServiceId}/";
        var (method, rel) = operation switch
        {
            AzureMlOperation.Execute => (HttpMethod.Post, "execute"),
            AzureMlOperation.SubmitJob => (HttpMethod.Post, "jobs"),
            AzureMlOperation.StartJob => (HttpMethod.Post, $"jobs/{JobId}/start"),
            AzureMlOperation.GetJobStatus => (HttpMethod.Get, $"jobs/{JobId}"),
            AzureMlOperation.DeleteJob => (HttpMethod.Delete, $"jobs/{JobId}"),
            AzureMlOperation.Score => (HttpMethod.Post, "score"),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        return (method, rel, operation == AzureMlOperation.Score ? "/score" : root + rel);
    }

    public static bool ReadsBody(AzureMlOperation operation) =>
        operation is AzureMlOperation.Execute or AzureMlOperation.SubmitJob or AzureMlOperation.GetJobStatus or AzureMlOperation.Score;

    /// <summary>
    /// Runs one operation through its public method. With <paramref name="extraQuery"/> (a query the public methods
    /// never send, to check that redaction holds whatever a URL carries), the request is built and sent as the
    /// public methods do, with that query added.
    /// </summary>
    public async Task RunAsync(AzureMlOperation operation, string? extraQuery = null, CancellationToken cancellationToken = default)
    {
        if (extraQuery is null)
        {
            await SendOnceTests.RunPublicAsync(this, operation, cancellationToken);
            return;
        }

        // Through the public method; a handler of the app's own (the public extension point) puts the extra query on
        // the request's URL before the gateway key handler and the transport see it.
        ExtraQuery.Value = extraQuery;
        try
        {
            await SendOnceTests.RunPublicAsync(this, operation, cancellationToken);
        }
        finally
        {
            ExtraQuery.Value = null;
        }
    }

    /// <summary>Runs <paramref name="work"/>, moving fake time forward while it waits (no-op with real time).</summary>
    public async Task<Exception?> CaptureAsync(Func<Task> work)
    {
        var task = Task.Run(work);
        if (Time is not null)
        {
            while (!task.IsCompleted)
            {
                Time.Advance(TimeSpan.FromMilliseconds(500));
                await Task.Delay(1);
            }
        }

        try
        {
            await task;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>The number of requests the server logged, waiting briefly for ones still being answered (delayed responses).</summary>
    public async Task<int> ServerCountAsync(int atLeast)
    {
        for (var i = 0; i < 400 && _serverCount() < atLeast; i++)
        {
            await Task.Delay(10);
        }

        return _serverCount();
    }

    public int ServerCount => _serverCount();

    public void Dispose() => _provider.Dispose();

    private static readonly AsyncLocal<string?> ExtraQuery = new();

    /// <summary>An app's own handler that appends <see cref="ExtraQuery"/> to the request URL.</summary>
    private sealed class ExtraQueryHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (ExtraQuery.Value is { } extra && !request.RequestUri!.Query.Contains(extra, StringComparison.Ordinal))
            {
                var uri = request.RequestUri;
                request.RequestUri = new Uri(uri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + extra);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
