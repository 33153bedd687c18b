using System.Text;
using System.Text.Json;

namespace AzureMl.Client.Tests;

/// <summary>How a <see cref="FakeService"/> ends one exchange.</summary>
public enum WireEnd
{
    /// <summary>Answers as scripted and keeps the connection open for the next request.</summary>
    Answer,

    /// <summary>Reads the whole request, then closes gracefully (FIN) without a byte of an answer.</summary>
    CloseBeforeAnswer,

    /// <summary>Reads the whole request, then resets (RST) without a byte of an answer.</summary>
    ResetBeforeAnswer,

    /// <summary>Sends the status line, headers and part of the body, then resets.</summary>
    ResetMidBody,

    /// <summary>Sends the status line, headers and part of the body, then closes gracefully.</summary>
    CloseMidBody,

    /// <summary>Sends the status line, headers (Content-Length: 100) and 50 bytes, then sends nothing more.</summary>
    StallMidBody,
}

/// <summary>
/// One answer of a <see cref="FakeService"/>: how the exchange ends and, for <see cref="WireEnd.Answer"/>, what is
/// sent. Every transport sends an answer; only <see cref="Transport.Socket"/> can end an exchange otherwise.
/// </summary>
/// <param name="End">How the exchange ends.</param>
/// <param name="Status">The status code.</param>
/// <param name="Body">The body, as UTF-8 (unless <see cref="RawBody"/> is set).</param>
/// <param name="ContentType">The <c>Content-Type</c>, or <see langword="null"/> for none.</param>
/// <param name="ExtraHeaders">Further headers, one <c>Name: value</c> per line.</param>
/// <param name="Chunked">Sends the body without a length: chunked transfer encoding over a socket, a stream of unknown length that hands out a few KB a read in memory.</param>
public sealed record FakeAnswer(WireEnd End, int Status = 200, string Body = "", string? ContentType = "application/json", bool Chunked = false, string? ExtraHeaders = null)
{
    /// <summary>The body as bytes, when it must be other than the UTF-8 of <see cref="Body"/> (invalid UTF-8, say).</summary>
    public byte[]? RawBody { get; init; }

    /// <summary>The body as sent.</summary>
    public byte[] BodyBytes => RawBody ?? Encoding.UTF8.GetBytes(Body);

    /// <summary>A 200 with a JSON body.</summary>
    public static FakeAnswer Ok(string body) => new(WireEnd.Answer, 200, body);

    /// <summary>A JSON answer (UTF-8) of any status.</summary>
    public static FakeAnswer Json(string body, int status = 200) => new(WireEnd.Answer, status, body, "application/json; charset=utf-8");

    /// <summary>An answer of any status, body and headers (a <c>Content-Type</c> only if among <paramref name="headers"/>).</summary>
    public static FakeAnswer With(int status, string? body, params (string Name, string Value)[] headers) => new(
        WireEnd.Answer,
        status,
        body ?? string.Empty,
        ContentType: null,
        ExtraHeaders: headers.Length == 0 ? null : string.Join("\r\n", headers.Select(h => h.Name + ": " + h.Value)));

    /// <summary>An answer without a body.</summary>
    public static FakeAnswer Empty(int status = 200) => new(WireEnd.Answer, status, string.Empty, ContentType: null);

    /// <summary>An exchange that ends as <paramref name="end"/> says (a socket fault).</summary>
    public static FakeAnswer Cut(WireEnd end, int status = 200) => new(end, status);

    /// <summary>A classic service error: <c>{"error":{"code","message","details":[…]}}</c>, with an optional <c>Retry-After</c> in seconds.</summary>
    public static FakeAnswer Error(int status, string code, string detail, int? retryAfterSeconds = null) => new(
        WireEnd.Answer,
        status,
        $$$"""{"error":{"code":"{{{code}}}","message":"{{{code}}} happened.","details":[{"code":"{{{detail}}}","message":"{{{detail}}}."}]}}""",
        ExtraHeaders: retryAfterSeconds is { } seconds ? "Retry-After: " + seconds : null);

    /// <summary>A batch job status.</summary>
    public static FakeAnswer JobStatus(string state, TimeSpan? retryAfter = null, string? details = null) => new(
        WireEnd.Answer,
        200,
        StatusJson(state, details),
        ExtraHeaders: retryAfter is { } wait ? "Retry-After: " + (int)wait.TotalSeconds : null);

    /// <summary>The JSON of a batch job status.</summary>
    public static string StatusJson(string state, string? details = null) =>
        $$"""{"StatusCode":"{{state}}","Results":null,"Details":{{(details is null ? "null" : "\"" + details + "\"")}}}""";

    /// <summary>The execute answer of one row, <c>Col2</c> and <c>Score</c>.</summary>
    public const string ExecuteAnswer = """{"Results":{"output1":{"type":"table","value":{"ColumnNames":["Col2","Score"],"ColumnTypes":["String","Double"],"Values":[["This is a good day","0.9"]]}}}}""";

    /// <summary>A status answer of a running job.</summary>
    public static readonly string RunningStatus = StatusJson("Running");

    /// <summary>A success of each operation's shape: a table for execute, the job id for submit, a status for a get.</summary>
    public static FakeAnswer OkFor(FakeCall call) => call switch
    {
        { Method: "POST", Path: "/score" } => Ok("[[1, 1, 2, 2, 0, 2, 0, 1]]"),
        { Method: "POST", Path: var p } when p.EndsWith("/execute", StringComparison.Ordinal) => Ok(ExecuteAnswer),
        { Method: "POST", Path: var p } when p.EndsWith("/jobs", StringComparison.Ordinal) => Ok("\"" + TestIds.JobId + "\""),
        { Method: "POST" } => Empty(),
        { Method: "GET" } => Ok(RunningStatus),
        _ => Empty(),
    };

    /// <summary>The echo of a classic execute call: its rows back, plus a <c>Scored</c> column (<c>scored:</c> and the first cell).</summary>
    public static FakeAnswer EchoOf(FakeCall call)
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
            foreach (var column in call.Columns)
            {
                writer.WriteStringValue(column);
            }

            writer.WriteStringValue("Scored");
            writer.WriteEndArray();
            writer.WriteStartArray("Values");
            foreach (var row in call.Rows)
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

        return new FakeAnswer(WireEnd.Answer, ContentType: null) { RawBody = stream.ToArray() };
    }

    /// <summary>The <see cref="ExtraHeaders"/> as name and value pairs.</summary>
    public IEnumerable<(string Name, string Value)> HeaderPairs() =>
        (ExtraHeaders ?? string.Empty).Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Select(p => (p[0].Trim(), p.Length > 1 ? p[1].Trim() : string.Empty));
}
