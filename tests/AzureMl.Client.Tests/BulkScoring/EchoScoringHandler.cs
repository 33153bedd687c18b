using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace AzureMl.Client.Tests.BulkScoring;

/// <summary>
/// An in-memory web service: answers each execute call with the input rows echoed back plus a <c>Scored</c>
/// column, after an optional per-call hook (latency, failures) chosen by the test.
/// </summary>
public sealed class EchoScoringHandler : HttpMessageHandler
{
    public const string WorkspaceId = TestIds.WorkspaceId;
    public const string ServiceId = TestIds.ServiceId;

    private int _active;
    private int _calls;

    /// <summary>Runs before answering; may return a response to send instead (e.g. a 503).</summary>
    public Func<ReceivedCall, Task<HttpResponseMessage?>>? OnCall { get; set; }

    public int Peak { get; private set; }

    public int Active => Volatile.Read(ref _active);

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<ReceivedCall> Received { get; } = new();

    public AzureMlClient CreateClient(TimeProvider? timeProvider = null) =>
        new(new HttpClient(this, disposeHandler: false), new AzureMlClientOptions
        {
            Endpoint = new Uri("http://scoring.test"),
            WorkspaceId = WorkspaceId,
            ServiceId = ServiceId,
            ApiKey = "bulk-test-key",
        }, timeProvider);

    public static HttpResponseMessage Error(int status, string code, string detail, int? retryAfterSeconds = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent($$$"""{"error":{"code":"{{{code}}}","message":"{{{code}}} happened.","details":[{"code":"{{{detail}}}","message":"{{{detail}}}."}]}}""", Encoding.UTF8, "application/json"),
        };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Read before the body: a content without a length of its own gets one once buffered.
        var declaredLength = request.Content!.Headers.ContentLength;
        var body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var index = Interlocked.Increment(ref _calls) - 1;
        using var doc = JsonDocument.Parse(body);
        var input = doc.RootElement.GetProperty("Inputs").GetProperty("input1");
        var columns = input.GetProperty("ColumnNames").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var rows = input.GetProperty("Values").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? null : c.GetString()).ToArray())
            .ToArray();
        var parameters = doc.RootElement.TryGetProperty("GlobalParameters", out var given)
            ? given.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString())
            : [];
        var call = new ReceivedCall(index, columns, rows, body.Length, parameters, declaredLength);
        Received.Enqueue(call);

        var active = Interlocked.Increment(ref _active);
        lock (this)
        {
            Peak = Math.Max(Peak, active);
        }

        try
        {
            if (OnCall is not null && await OnCall(call) is { } replacement)
            {
                return replacement;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Answer(columns, rows)) };
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static byte[] Answer(string[] columns, string?[][] rows)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Results");
            writer.WriteStartObject("output1");
            writer.WriteString("type", "table");
            writer.WriteStartObject("value");
            writer.WriteStartArray("ColumnNames");
            foreach (var column in columns)
            {
                writer.WriteStringValue(column);
            }

            writer.WriteStringValue("Scored");
            writer.WriteEndArray();
            writer.WriteStartArray("Values");
            foreach (var row in rows)
            {
                writer.WriteStartArray();
                foreach (var cell in row)
                {
                    writer.WriteStringValue(cell);
                }

                writer.WriteStringValue(row[0] is null ? null : "scored:" + row[0]);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public sealed record ReceivedCall(int Index, string[] Columns, string?[][] Rows, int BodyBytes, Dictionary<string, string?> GlobalParameters, long? ContentLength)
    {
        public int FirstValue => int.Parse(Rows[0][0]!, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A clock whose timers fire at once and record the delay they were asked for.</summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Delays.Enqueue(dueTime);
        return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
