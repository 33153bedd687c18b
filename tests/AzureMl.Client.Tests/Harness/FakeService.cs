using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using AzureMl.Client.Batch;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Client.Resilience;
using AzureMl.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using WireMock;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace AzureMl.Client.Tests;

/// <summary>How a test's clients reach its <see cref="FakeService"/>.</summary>
internal enum Transport
{
    /// <summary>Over loopback HTTP to a WireMock server (the default): real sockets, and <see cref="FakeService.Server"/> for WireMock's own matching and request log.</summary>
    WireMock,

    /// <summary>In memory, as the client's primary handler: no sockets, fast enough for bulk runs of thousands of calls, and exact on a fake clock.</summary>
    InMemory,

    /// <summary>Over a raw loopback socket that can end an exchange the ways a network does (<see cref="WireEnd"/>): closed, reset, cut or stalled.</summary>
    Socket,

    /// <summary>Nothing listens: every connection is refused.</summary>
    ClosedPort,

    /// <summary>The product's emulator (<see cref="FakeService.OfEmulator"/>): it answers, counts and injects faults itself.</summary>
    Emulator,
}

/// <summary>
/// The fake web service every client test stands up, and the clients bound to it.
/// <para>
/// How it answers is one model whatever the transport: a queue of answers (<see cref="Then(FakeAnswer)"/>), a
/// function of the received call (<see cref="Answer(Func{FakeCall, FakeAnswer})"/>), or the bulk echo
/// (<see cref="Echo"/>: the rows sent come back with a <c>Scored</c> column). Queued answers go first. Every call is
/// recorded (<see cref="Received"/>, <see cref="NextAsync"/>) and counted (<see cref="Calls"/>, <see cref="Active"/>,
/// <see cref="Peak"/>).
/// </para>
/// <para>
/// How it is reached is the <see cref="Transport"/> chosen at construction. Clients are built the way users build
/// them: <see cref="Client"/> and <see cref="Online"/> through <c>AddAzureMlClient</c> and
/// <c>AddAzureMlOnlineEndpoint</c> with the real handler chain; <see cref="CreateClient"/> through the public
/// constructor. Ids and keys are <see cref="TestIds"/>'.
/// </para>
/// <example>
/// <code>
/// using var service = new FakeService().Then(FakeAnswer.Error(503, "ServiceUnavailable", "Busy")).AnswerOk();
/// await service.RunAsync(AzureMlOperation.Execute);           // the 503, then the pipeline's retry
/// service.Calls.Should().Be(2);
///
/// using var bulk = new FakeService(Transport.InMemory).Echo(async call => { await Task.Yield(); return null; });
/// await foreach (var chunk in bulk.CreateClient().ScoreBulkAsync(columns, rows)) { … }
/// bulk.Peak.Should().BeLessThanOrEqualTo(4);
///
/// using var wire = new FakeService(Transport.Socket).Always(FakeAnswer.Cut(WireEnd.ResetMidBody));
/// </code>
/// </example>
/// </summary>
internal sealed class FakeService : IDisposable
{
    /// <summary>The name of the online endpoint client registered beside <see cref="Client"/>.</summary>
    public const string OnlineName = "online";

    /// <summary>The base address clients use for the in-memory transport (never resolved).</summary>
    public const string InMemoryUrl = "http://fake.service.test";

    private readonly ConcurrentQueue<Func<FakeCall, Task<FakeAnswer>>> _script = new();
    private readonly ConcurrentQueue<FakeCall> _received = new();
    private readonly Channel<FakeCall> _arrivals = Channel.CreateUnbounded<FakeCall>();
    private readonly List<HttpClient> _httpClients = [];
    private readonly Lazy<ServiceProvider> _provider;
    private readonly DateTimeOffset _start;
    private readonly WireScriptServer? _socket;
    private readonly InMemoryHandler? _inMemory;
    private readonly string _workspaceId = TestIds.WorkspaceId;
    private readonly string _serviceId = TestIds.ServiceId;
    private readonly string? _apiKey = TestIds.ApiKey;
    private Func<FakeCall, Task<FakeAnswer>>? _responder;
    private int _calls;
    private int _headersArrived;
    private int _active;
    private int _peak;
    private int _wireMockCatchAll;

    /// <param name="transport">How clients reach the service.</param>
    /// <param name="time">The fake clock of the test: given to every client and used to stamp <see cref="FakeCall.At"/>.</param>
    /// <param name="configure">Changes to the DI-built client's registration (a gateway key, a handler of the app's own).</param>
    /// <param name="resilience">Changes to the resilience options both DI-built clients start with (2 retries, millisecond backoff).</param>
    /// <param name="online">Changes to the online endpoint client's registration; when given, the primary key is left unset.</param>
    /// <param name="serviceId">The web service the DI-built client calls.</param>
    public FakeService(
        Transport transport = Transport.WireMock,
        FakeTimeProvider? time = null,
        Action<IAzureMlClientBuilder>? configure = null,
        Action<AzureMlResilienceOptions>? resilience = null,
        Action<IAzureMlClientBuilder>? online = null,
        string? serviceId = null)
        : this(transport, null, time, configure, resilience, online, serviceId)
    {
    }

    private FakeService(
        Transport transport,
        AzureMlEmulator? emulator,
        FakeTimeProvider? time,
        Action<IAzureMlClientBuilder>? configure,
        Action<AzureMlResilienceOptions>? resilience,
        Action<IAzureMlClientBuilder>? online,
        string? serviceId)
    {
        Transport = transport;
        Time = time;
        _start = (time ?? TimeProvider.System).GetUtcNow();
        switch (transport)
        {
            case Transport.WireMock:
                Server = WireMockServer.Start();
                Url = Server.Url!;
                break;
            case Transport.InMemory:
                _inMemory = new InMemoryHandler(this);
                Url = InMemoryUrl;
                break;
            case Transport.Socket:
                _socket = new WireScriptServer(call => RespondAsync(Stamp(call)));
                Url = _socket.Url;
                break;
            case Transport.ClosedPort:
                Url = $"http://127.0.0.1:{FreePort()}";
                break;
            case Transport.Emulator when emulator is not null:
                Url = emulator.ServiceRoot.ToString();
                _workspaceId = emulator.WorkspaceId;
                _serviceId = emulator.ServiceId;
                _apiKey = emulator.ApiKey;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(transport));
        }

        _provider = new(() => BuildProvider(configure, resilience, online, serviceId ?? _serviceId));
    }

    /// <summary>
    /// The product's emulator behind the same clients: its ids and key, the same DI registration and resilience
    /// settings. The emulator answers, counts (<c>ReceivedCount</c>) and injects faults itself.
    /// </summary>
    public static FakeService OfEmulator(AzureMlEmulator emulator, FakeTimeProvider? time = null, Action<IAzureMlClientBuilder>? configure = null, Action<AzureMlResilienceOptions>? resilience = null) =>
        new(Transport.Emulator, emulator, time, configure, resilience, null, null);

    public Transport Transport { get; }

    /// <summary>The root address of the service (<c>/workspaces/…</c> and <c>/score</c> live under it).</summary>
    public string Url { get; }

    /// <summary>The WireMock server behind <see cref="Transport.WireMock"/>, for mappings a test writes itself; mappings it adds win over the harness's answers.</summary>
    public WireMockServer? Server { get; }

    public FakeTimeProvider? Time { get; }

    /// <summary>The path of the web service the clients call, <c>/workspaces/{workspace}/services/{service}</c>.</summary>
    public static string ServicePath => $"/workspaces/{TestIds.WorkspaceId}/services/{TestIds.ServiceId}";

    // ---- How it answers ----

    /// <summary>Queues an answer for the next call no earlier answer was queued for.</summary>
    public FakeService Then(FakeAnswer answer) => Then(_ => answer);

    /// <summary>Queues an answer, computed from the call, for the next call no earlier answer was queued for.</summary>
    public FakeService Then(Func<FakeCall, FakeAnswer> answer)
    {
        _script.Enqueue(call => Task.FromResult(answer(call)));
        return Listening();
    }

    /// <summary>Queues a batch job status answer (<c>StatusCode</c>, optional <c>Retry-After</c> and details).</summary>
    public FakeService ThenStatus(string state, TimeSpan? retryAfter = null, string? details = null) => Then(FakeAnswer.JobStatus(state, retryAfter, details));

    /// <summary>Restores the documented resilience defaults (2 s backoff, 100 s per attempt…) over the harness's fast ones.</summary>
    public static void DocumentedResilience(AzureMlResilienceOptions o)
    {
        var defaults = new AzureMlResilienceOptions();
        o.MaxRetryAttempts = defaults.MaxRetryAttempts;
        o.BaseDelay = defaults.BaseDelay;
        o.MaxDelay = defaults.MaxDelay;
        o.AttemptTimeout = defaults.AttemptTimeout;
        o.TotalTimeout = defaults.TotalTimeout;
    }

    /// <summary>Answers every call not answered by the queue with <paramref name="responder"/>.</summary>
    public FakeService Answer(Func<FakeCall, FakeAnswer> responder) => AnswerAsync(call => Task.FromResult(responder(call)));

    /// <inheritdoc cref="Answer(Func{FakeCall, FakeAnswer})"/>
    public FakeService AnswerAsync(Func<FakeCall, Task<FakeAnswer>> responder)
    {
        _responder = responder;
        return Listening();
    }

    /// <summary>Answers every call with one fixed answer.</summary>
    public FakeService Always(FakeAnswer answer) => Answer(_ => answer);

    /// <summary>Answers each operation with a success of its shape (<see cref="FakeAnswer.OkFor"/>).</summary>
    public FakeService AnswerOk() => Answer(FakeAnswer.OkFor);

    /// <summary>
    /// Answers each execute call with its input rows echoed back plus a <c>Scored</c> column (<c>scored:</c> and the
    /// row's first cell). <paramref name="hook"/> runs first (latency, failures) and may return an answer to send instead.
    /// </summary>
    public FakeService Echo(Func<FakeCall, Task<FakeAnswer?>>? hook = null) => AnswerAsync(async call =>
        (hook is null ? null : await hook(call)) ?? FakeAnswer.EchoOf(call));

    // ---- What it received ----

    /// <summary>Every call received, in arrival order.</summary>
    public IReadOnlyList<FakeCall> Received => Server is null
        ? [.. _received]
        : [.. Server.LogEntries.Select((e, i) => FromWireMock(e.RequestMessage, i))];

    /// <summary>Over <see cref="Transport.WireMock"/>: WireMock's log of what arrived, for assertions on the exact wire shape.</summary>
    public IReadOnlyList<ILogEntry> WireMockLog => Server?.LogEntries.ToList() ?? throw new InvalidOperationException("Only the WireMock transport keeps WireMock's log.");

    /// <summary>The request line and headers of every call received, in arrival order.</summary>
    public IReadOnlyList<string> ReceivedHeads => [.. Received.Select(c => c.Head)];

    /// <summary>How many calls were received.</summary>
    public int Calls => Server is null ? Volatile.Read(ref _calls) : Server.LogEntries.Count;

    /// <summary>How many calls are being answered right now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>The most calls ever answered at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Over <see cref="Transport.Socket"/>: how many answers were sent as far as their stall.</summary>
    public int Stalled => _socket?.Stalled ?? 0;

    /// <summary>
    /// Over a network transport: how many answers' status lines and headers the DI-built clients' primary handler has
    /// handed up the chain (so the client is reading, or done with, their bodies).
    /// </summary>
    public int HeadersArrived => Volatile.Read(ref _headersArrived);

    /// <summary>Waits (on the real clock, at most 10 s) for the next call answered by the harness.</summary>
    public async Task<FakeCall> NextAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _arrivals.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The number of calls received, waiting briefly for ones still arriving (delayed answers, retries in flight).</summary>
    public async Task<int> CallsAsync(int atLeast)
    {
        for (var i = 0; i < 400 && Calls < atLeast; i++)
        {
            await Task.Delay(10);
        }

        return Calls;
    }

    // ---- Clients ----

    /// <summary>The classic client, registered with <c>AddAzureMlClient</c> (real handler chain, fake logging, <see cref="Time"/>).</summary>
    public AzureMlClient Client => (AzureMlClient)Services.GetRequiredService<IAzureMlClient>();

    /// <summary>The online endpoint client registered beside <see cref="Client"/>, sending to <c>/score</c> with the same resilience.</summary>
    public IOnlineEndpointClient Online => Services.GetRequiredKeyedService<IOnlineEndpointClient>(OnlineName);

    public IServiceProvider Services => _provider.Value;

    /// <summary>What the DI-built clients logged.</summary>
    public FakeLogCollector Logs => _provider.Value.GetFakeLogCollector();

    /// <summary>The options a user writes for this service.</summary>
    public AzureMlClientOptions Options(Action<AzureMlClientOptions>? configure = null)
    {
        var options = new AzureMlClientOptions
        {
            Endpoint = new Uri(Url),
            WorkspaceId = _workspaceId,
            ServiceId = _serviceId,
            ApiKey = _apiKey,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A client built with the public constructor, <c>new AzureMlClient(HttpClient, options)</c>, on this service.</summary>
    /// <param name="configure">Changes to the options.</param>
    /// <param name="timeProvider">The client's clock; <see cref="Time"/> when not given.</param>
    /// <param name="outer">A handler of the app's own, put in front of the transport.</param>
    public AzureMlClient CreateClient(Action<AzureMlClientOptions>? configure = null, TimeProvider? timeProvider = null, DelegatingHandler? outer = null)
    {
        var http = CreateHttpClient(outer);
        return new AzureMlClient(http, Options(configure), timeProvider ?? Time);
    }

    /// <summary>An <see cref="HttpClient"/> that reaches this service, disposed with it (disposing it earlier is fine).</summary>
    public HttpClient CreateHttpClient(DelegatingHandler? outer = null)
    {
        HttpMessageHandler transport = _inMemory is null ? new HttpClientHandler() : _inMemory;
        if (outer is not null)
        {
            var last = outer;
            while (last.InnerHandler is DelegatingHandler next)
            {
                last = next;
            }

            last.InnerHandler = transport;
            transport = outer;
        }

        var http = new HttpClient(transport, disposeHandler: _inMemory is null || outer is not null);
        lock (_httpClients)
        {
            _httpClients.Add(http);
        }

        return http;
    }

    // ---- Running the public methods ----

    /// <summary>Where each operation goes: method, path relative to the service, and the path on the wire.</summary>
    public static (HttpMethod Method, string RelativePath, string WirePath) Route(AzureMlOperation operation)
    {
        var (method, rel) = operation switch
        {
            AzureMlOperation.Execute => (HttpMethod.Post, "execute"),
            AzureMlOperation.SubmitJob => (HttpMethod.Post, "jobs"),
            AzureMlOperation.StartJob => (HttpMethod.Post, $"jobs/{TestIds.JobId}/start"),
            AzureMlOperation.GetJobStatus => (HttpMethod.Get, $"jobs/{TestIds.JobId}"),
            AzureMlOperation.DeleteJob => (HttpMethod.Delete, $"jobs/{TestIds.JobId}"),
            AzureMlOperation.Score => (HttpMethod.Post, "score"),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        return (method, rel, operation == AzureMlOperation.Score ? "/score" : ServicePath + "/" + rel);
    }

    /// <summary>Whether the client reads the answer's body for <paramref name="operation"/>.</summary>
    public static bool ReadsBody(AzureMlOperation operation) =>
        operation is AzureMlOperation.Execute or AzureMlOperation.SubmitJob or AzureMlOperation.GetJobStatus or AzureMlOperation.Score;

    /// <summary>Whether <paramref name="call"/> is a call of <paramref name="operation"/>.</summary>
    public static bool IsOperation(FakeCall call, AzureMlOperation operation)
    {
        var (method, _, path) = Route(operation);
        return call.Method == method.Method && call.Path == path;
    }

    /// <summary>A batch job request with one input blob.</summary>
    public static BatchJobRequest SampleJob()
    {
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "in.csv");
        return request;
    }

    /// <summary>
    /// Runs one operation through its public method on the DI-built clients. With <paramref name="extraQuery"/> (a
    /// query the public methods never send, to check that redaction holds whatever a URL carries), a handler of the
    /// app's own (the public extension point) adds that query to the request's URL.
    /// </summary>
    public async Task RunAsync(AzureMlOperation operation, string? extraQuery = null, CancellationToken cancellationToken = default)
    {
        ExtraQuery.Value = extraQuery;
        try
        {
            await (operation switch
            {
                AzureMlOperation.Score => Online.ScoreAsync(new ScoringTable("Col2").AddRow("This is a good day"), cancellationToken: cancellationToken),
                AzureMlOperation.Execute => Client.ExecuteAsync(new ScoringTable("Col2").AddRow("This is a good day"), cancellationToken),
                AzureMlOperation.SubmitJob => Client.SubmitJobAsync(SampleJob(), cancellationToken),
                AzureMlOperation.StartJob => Client.StartJobAsync(TestIds.JobId, cancellationToken),
                AzureMlOperation.GetJobStatus => Client.GetJobStatusAsync(TestIds.JobId, cancellationToken),
                AzureMlOperation.DeleteJob => Client.DeleteJobAsync(TestIds.JobId, cancellationToken),
                _ => throw new ArgumentOutOfRangeException(nameof(operation)),
            });
        }
        finally
        {
            ExtraQuery.Value = null;
        }
    }

    /// <summary>Runs <paramref name="work"/>, moving <see cref="Time"/> forward while it waits (no-op without a fake clock).</summary>
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

    public void Dispose()
    {
        if (_provider.IsValueCreated)
        {
            _provider.Value.Dispose();
        }

        lock (_httpClients)
        {
            foreach (var http in _httpClients)
            {
                http.Dispose();
            }
        }

        _socket?.Dispose();
        Server?.Stop();
        Server?.Dispose();
    }

    // ---- Machinery ----

    private static readonly AsyncLocal<string?> ExtraQuery = new();

    private ServiceProvider BuildProvider(Action<IAzureMlClientBuilder>? configure, Action<AzureMlResilienceOptions>? resilience, Action<IAzureMlClientBuilder>? online, string serviceId)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
        if (Time is not null)
        {
            services.AddSingleton<TimeProvider>(Time);
        }

        void Resilience(AzureMlResilienceOptions o)
        {
            o.MaxRetryAttempts = 2;
            o.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.MaxDelay = TimeSpan.FromMilliseconds(5);
            o.AttemptTimeout = Time is null ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(10);
            o.TotalTimeout = Time is null ? TimeSpan.FromSeconds(20) : TimeSpan.FromMinutes(30);
            resilience?.Invoke(o);
        }

        var builder = services.AddAzureMlClient(o =>
        {
            o.Endpoint = new Uri(Url);
            o.WorkspaceId = _workspaceId;
            o.ServiceId = serviceId;
            o.ApiKey = _apiKey;
        });
        builder.ConfigureResilience(Resilience);
        builder.HttpClientBuilder.AddHttpMessageHandler(() => new ExtraQueryHandler());
        UseTransport(builder);
        configure?.Invoke(builder);

        var onlineBuilder = services.AddAzureMlOnlineEndpoint(OnlineName, o =>
        {
            o.ScoringUri = new Uri(Url.TrimEnd('/') + "/score");
            o.PrimaryKey = online is null ? TestIds.EndpointPrimaryKey : null;
        }).ConfigureResilience(Resilience);
        UseTransport(onlineBuilder);
        online?.Invoke(onlineBuilder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>
    /// Makes the in-memory handler the primary handler of a registration; over a network transport, the product's own
    /// primary handler with <see cref="HeadersArrived"/> counted on top of it.
    /// </summary>
    public void UseTransport(IAzureMlClientBuilder builder)
    {
        if (_inMemory is { } handler)
        {
            builder.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        }
        else
        {
            builder.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => new HeadersCounter(this, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }));
        }
    }

    /// <summary>Counts answers whose headers the primary handler returned.</summary>
    private sealed class HeadersCounter(FakeService service, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref service._headersArrived);
            return response;
        }
    }

    private FakeService Listening()
    {
        if (Transport == Transport.Emulator)
        {
            throw new InvalidOperationException("The emulator answers for itself: inject faults with its Faults.");
        }

        // Over WireMock the harness answers through one catch-all mapping of the lowest priority, so mappings a test
        // adds itself still win.
        if (Server is not null && Interlocked.Exchange(ref _wireMockCatchAll, 1) == 0)
        {
            Server.Given(Request.Create().UsingAnyMethod()).AtPriority(int.MaxValue)
                .RespondWith(Response.Create().WithCallback(message => ToWireMock(RespondAsync(Stamp(FromWireMock(message, -1))).GetAwaiter().GetResult())));
        }

        return this;
    }

    private FakeCall Stamp(FakeCall call) => call with
    {
        Index = call.Index >= 0 ? call.Index : Interlocked.Increment(ref _calls) - 1,
        At = (Time ?? TimeProvider.System).GetUtcNow() - _start,
    };

    private async Task<FakeAnswer> RespondAsync(FakeCall call)
    {
        _received.Enqueue(call);
        _arrivals.Writer.TryWrite(call);
        var active = Interlocked.Increment(ref _active);
        for (var peak = Volatile.Read(ref _peak); active > peak && Interlocked.CompareExchange(ref _peak, active, peak) != peak; peak = Volatile.Read(ref _peak))
        {
        }

        try
        {
            if (_script.TryDequeue(out var queued))
            {
                return await queued(call);
            }

            if (_responder is { } responder)
            {
                return await responder(call);
            }

            throw new InvalidOperationException($"The fake service has no answer for call {call.Index}: {call.Method} {call.Path}");
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static FakeCall FromWireMock(IRequestMessage message, int index)
    {
        var headers = message.Headers ?? new Dictionary<string, WireMockList<string>>();
        var head = new StringBuilder().Append(message.Method).Append(' ').Append(message.Path).Append(message.RawQuery is { Length: > 0 } q ? "?" + q.TrimStart('?') : string.Empty).Append(" HTTP/1.1");
        foreach (var (name, values) in headers)
        {
            head.Append("\r\n").Append(name).Append(": ").Append(string.Join(", ", values));
        }

        var body = message.BodyAsBytes ?? (message.Body is { } text ? Encoding.UTF8.GetBytes(text) : []);
        long? length = headers.TryGetValue("Content-Length", out var declared) && long.TryParse(declared.FirstOrDefault(), out var n) ? n : null;
        return new FakeCall(message.Method, message.Path, body, head.ToString()) { Index = index, ContentLength = length };
    }

    private static ResponseMessage ToWireMock(FakeAnswer answer)
    {
        if (answer.End != WireEnd.Answer)
        {
            throw new NotSupportedException("Over WireMock a fake service only answers; use Transport.Socket for " + answer.End + ".");
        }

        var headers = new Dictionary<string, WireMockList<string>>();
        foreach (var (name, value) in answer.HeaderPairs())
        {
            headers[name] = new WireMockList<string>(value);
        }

        if (answer.ContentType is { } contentType)
        {
            headers["Content-Type"] = new WireMockList<string>(contentType);
        }

        return new ResponseMessage
        {
            StatusCode = answer.Status,
            Headers = headers,
            BodyData = new BodyData { BodyAsBytes = answer.BodyBytes, DetectedBodyType = BodyType.Bytes },
        };
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The in-memory transport: each request becomes a <see cref="FakeCall"/>, each answer a response.</summary>
    private sealed class InMemoryHandler(FakeService service) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Read before the body: a content without a length of its own gets one once buffered.
            var declaredLength = request.Content?.Headers.ContentLength;
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var head = new StringBuilder().Append(request.Method.Method).Append(' ').Append(request.RequestUri!.PathAndQuery).Append(" HTTP/1.1");
            foreach (var (name, values) in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                head.Append("\r\n").Append(name).Append(": ").Append(string.Join(", ", values));
            }

            var call = service.Stamp(new FakeCall(request.Method.Method, request.RequestUri.AbsolutePath, body, head.ToString())
            {
                Index = -1,
                ContentLength = declaredLength,
                Operation = AzureMlRequestOptions.TryGetOperation(request, out var operation) ? operation : null,
            });
            var answer = await service.RespondAsync(call);
            cancellationToken.ThrowIfCancellationRequested();
            if (answer.End != WireEnd.Answer)
            {
                throw new HttpRequestException("The fake service ended the exchange: " + answer.End, new IOException(answer.End.ToString()));
            }

            HttpContent content = answer.Chunked ? new StreamContent(new LengthlessStream(answer.BodyBytes)) : new ByteArrayContent(answer.BodyBytes);
            var response = new HttpResponseMessage((HttpStatusCode)answer.Status) { RequestMessage = request, Content = content };
            if (answer.ContentType is { } contentType)
            {
                response.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            foreach (var (name, value) in answer.HeaderPairs())
            {
                if (!response.Headers.TryAddWithoutValidation(name, value))
                {
                    response.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            return response;
        }
    }

    /// <summary>A body without a length that hands out a few KB a read, as a socket does.</summary>
    private sealed class LengthlessStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 3_000)], cancellationToken);
    }

    /// <summary>An app's own handler that appends the current extra query to the request URL.</summary>
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
