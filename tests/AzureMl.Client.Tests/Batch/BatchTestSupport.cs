using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Batch;

internal static class BatchTestSupport
{
    public const string WorkspaceId = TestIds.WorkspaceId;
    public const string ServiceId = TestIds.ServiceId;
    public const string ApiKey = TestIds.ApiKey;
    public const string ServicePath = "/workspaces/" + WorkspaceId + "/services/" + ServiceId;
    public const string AccountKey = "c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5MTIzNDU2Nzg5MA==";
    public const string ConnectionString = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + AccountKey + ";EndpointSuffix=core.windows.net";

    public static AzureMlClient CreateClient(string endpoint, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null) =>
        new(handler is null ? new HttpClient() : new HttpClient(handler), new AzureMlClientOptions
        {
            Endpoint = new Uri(endpoint),
            WorkspaceId = WorkspaceId,
            ServiceId = ServiceId,
            ApiKey = ApiKey,
        }, timeProvider);

    public static string StatusJson(string state, string? details = null) =>
        $$"""{"StatusCode":"{{state}}","Results":null,"Details":{{(details is null ? "null" : "\"" + details + "\"")}}}""";
}

/// <summary>A handler that answers from a script and lets a test await each request, so polling tests need no sleeps.</summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private readonly Channel<(HttpRequestMessage Request, TimeSpan At)> _received = Channel.CreateUnbounded<(HttpRequestMessage, TimeSpan)>();
    private readonly FakeTimeProvider _time;
    private readonly DateTimeOffset _start;
    private int _count;

    public ScriptedHandler(FakeTimeProvider time)
    {
        _time = time;
        _start = time.GetUtcNow();
    }

    public int Count => Volatile.Read(ref _count);

    public ScriptedHandler Then(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    public ScriptedHandler ThenStatus(string state, TimeSpan? retryAfter = null, string? details = null) => Then(_ =>
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(BatchTestSupport.StatusJson(state, details), System.Text.Encoding.UTF8, "application/json") };
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
        }

        return response;
    });

    /// <summary>Waits (on the real clock, bounded) for the next request and returns it with the fake time it arrived at.</summary>
    public async Task<(HttpRequestMessage Request, TimeSpan At)> NextAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(cts.Token);
    }

    public bool HasPending => _received.Reader.TryPeek(out _);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        _received.Writer.TryWrite((request, _time.GetUtcNow() - _start));
        if (!_script.TryDequeue(out var answer))
        {
            throw new InvalidOperationException("Unexpected request " + request.Method + " " + request.RequestUri);
        }

        return Task.FromResult(answer(request));
    }
}

/// <summary>Collects progress reports synchronously (no synchronization context hop).</summary>
internal sealed class ListProgress<T> : IProgress<T>
{
    private readonly ConcurrentQueue<T> _items = new();

    public IReadOnlyList<T> Items => [.. _items];

    public void Report(T value) => _items.Enqueue(value);
}
