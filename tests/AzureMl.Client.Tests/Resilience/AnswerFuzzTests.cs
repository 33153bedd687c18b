using System.Text;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using AzureMl.Client.Tests.Gateway;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>
/// Generated answers built from real ones of all five operations (success and error bodies, service and gateway):
/// truncated, invalid UTF-8, lone and reversed surrogates, wrong JSON types in every member, any charset and content
/// type, chunked or not, large, deeply nested, HTML. Through the public methods, each call ends (no hang) with a
/// result or an <see cref="AzureMlException"/>, nothing else.
/// </summary>
public sealed class AnswerFuzzTests
{
    private const string StatusAnswer = """
        {"StatusCode":"Finished","Results":{"output1":{"ConnectionString":null,"RelativeLocation":"results/output1.csv","BaseLocation":"https://acct.blob.core.windows.net/","SasBlobToken":"?sv=2020-01-01&sig=abc"}},"Details":"done","CreatedAt":"2026-12-01T12:00:00Z","StartTime":"2026-12-01T12:00:01Z","EndTime":"2026-12-01T12:00:09Z"}
        """;

    private const string ServiceError = """
        {"error":{"code":"BadArgument","message":"Invalid argument provided.","details":[{"code":"InputParseError","target":"input1","message":"Parsing of input vector failed."}]}}
        """;

    private const string GatewayError = """{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}""";

    private static readonly string[] WrongTypes = ["1", "-0", "1e400", "true", "null", "[]", "{}", "\"s\"", "[[1,{}]]", "{\"a\":[]}"];

    public sealed record Variant(string Name, AzureMlOperation Operation, FakeAnswer Reply);

    public static List<Variant> Generate()
    {
        var bases = new List<(string Name, AzureMlOperation Op, int Status, string Body, string? Headers)>
        {
            ("execute", AzureMlOperation.Execute, 200, FakeAnswer.ExecuteAnswer, null),
            ("submit", AzureMlOperation.SubmitJob, 200, "\"" + TestIds.JobId + "\"", null),
            ("status", AzureMlOperation.GetJobStatus, 200, StatusAnswer.Trim(), null),
            ("start", AzureMlOperation.StartJob, 200, string.Empty, null),
            ("delete", AzureMlOperation.DeleteJob, 200, string.Empty, null),
            ("score-records", AzureMlOperation.Score, 200, """[{"Col2":"This is a good day","Col2_HashingFeature.0":1,"p":0.5,"ok":true}]""", null),
            ("score-columns", AzureMlOperation.Score, 200, """{"label":["a","b"],"p":[0.9,0.1]}""", null),
            ("score-424", AzureMlOperation.Score, 424, """{"message":"An unexpected error occurred in scoring script. Check the logs for more info."}""", "ms-azureml-model-error-statuscode: 500\r\nms-azureml-model-error-reason: model_error"),
        };
        foreach (var op in Enum.GetValues<AzureMlOperation>())
        {
            bases.Add(($"{op}-400", op, 400, ServiceError.Trim(), null));
            bases.Add(($"{op}-401gw", op, 401, GatewayError, "WWW-Authenticate: AzureApiManagementKey realm=\"x\",name=\"Ocp-Apim-Subscription-Key\",type=\"header\""));
        }

        bases.Add(("execute-503", AzureMlOperation.Execute, 503, ServiceError.Trim(), "Retry-After: 0"));
        bases.Add(("submit-500", AzureMlOperation.SubmitJob, 500, ServiceError.Trim(), null));
        bases.Add(("status-404", AzureMlOperation.GetJobStatus, 404, ServiceError.Trim(), null));
        bases.Add(("execute-429gw", AzureMlOperation.Execute, 429, """{"statusCode":429,"message":"Rate limit is exceeded."}""", "Retry-After: 0"));

        var variants = new List<Variant>();
        foreach (var (name, op, status, body, headers) in bases)
        {
            FakeAnswer Reply(byte[] bytes, string? contentType = "application/json", bool chunked = false) =>
                new(WireEnd.Answer, status, ContentType: contentType, Chunked: chunked, ExtraHeaders: headers) { RawBody = bytes };

            var utf8 = Encoding.UTF8.GetBytes(body);
            foreach (var cut in new[] { 0, 1, utf8.Length / 4, utf8.Length / 2, (3 * utf8.Length) / 4, utf8.Length - 1 }.Where(c => c >= 0 && c < utf8.Length).Distinct())
            {
                variants.Add(new($"{name}/truncated@{cut}", op, Reply(utf8[..cut])));
            }

            foreach (var ct in new string?[] { null, "text/html", "application/json; charset=bogus", "application/json; charset=utf-16", "text/plain; charset=iso-8859-1" })
            {
                variants.Add(new($"{name}/content-type={ct}", op, Reply(utf8, ct)));
            }

            variants.Add(new($"{name}/chunked", op, Reply(utf8, chunked: true)));
            variants.Add(new($"{name}/bom", op, Reply([0xEF, 0xBB, 0xBF, .. utf8])));
            variants.Add(new($"{name}/trailing-garbage", op, Reply([.. utf8, .. "}]x"u8])));
            variants.Add(new($"{name}/html", op, Reply("<html><body><h1>502 Bad Gateway</h1></body></html>"u8.ToArray(), "text/html")));
            variants.Add(new($"{name}/deep", op, Reply(Encoding.ASCII.GetBytes(new string('[', 5000) + new string(']', 5000)))));
            variants.Add(new($"{name}/deep-object", op, Reply(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3000)))));
            variants.Add(new($"{name}/large-chunked", op, Reply(Encoding.UTF8.GetBytes(body.Length == 0 ? new string(' ', 300_000) : body.Insert(1, "\"pad\":\"" + new string('x', 300_000) + "\",")), chunked: true)));
            variants.Add(new($"{name}/null", op, Reply("null"u8.ToArray())));
            variants.Add(new($"{name}/comment", op, Reply(Encoding.UTF8.GetBytes("/* c */" + body))));

            // Invalid UTF-8 and surrogate escapes inside every string literal.
            var quotes = StringStarts(body);
            foreach (var at in quotes)
            {
                variants.Add(new($"{name}/bad-utf8@{at}", op, Reply([.. utf8[..(at + 1)], 0xFF, 0xC3, .. utf8[(at + 1)..]])));
                variants.Add(new($"{name}/encoded-surrogate@{at}", op, Reply([.. utf8[..(at + 1)], 0xED, 0xA0, 0x80, .. utf8[(at + 1)..]])));
                variants.Add(new($"{name}/lone-surrogate@{at}", op, Reply(Encoding.UTF8.GetBytes(body.Insert(at + 1, "\\ud800")))));
                variants.Add(new($"{name}/reversed-surrogates@{at}", op, Reply(Encoding.UTF8.GetBytes(body.Insert(at + 1, "\\udc00\\ud800")))));
            }

            // Every member and element replaced by every other JSON type.
            if (body.Length > 0)
            {
                var paths = new List<List<object>>();
                CollectPaths(JsonNode.Parse(body), [], paths);
                foreach (var path in paths)
                {
                    foreach (var wrong in WrongTypes)
                    {
                        var root = JsonNode.Parse(body);
                        var mutated = Replace(root, path, wrong);
                        variants.Add(new($"{name}/{string.Join('.', path)}={wrong}", op, Reply(Encoding.UTF8.GetBytes(mutated))));
                    }
                }
            }
        }

        return variants;
    }

    [Fact]
    public async Task PublicMethods_GeneratedMalformedAnswers_EndWithAResultOrAzureMlException()
    {
        var variants = Generate();
        variants.Count.Should().BeGreaterThanOrEqualTo(2000, "the README promises more than 2,000 generated answers");
        Variant? current = null;
        using var service = new FakeService(
            Transport.Socket,
            configure: b => b.AddSubscriptionKey(o =>
            {
                o.PrimaryKey = SubscriptionKeyHandlerTests.Primary;
                o.SecondaryKey = SubscriptionKeyHandlerTests.Secondary;
            }),
            resilience: o =>
            {
                o.MaxRetryAttempts = 1;
                o.EnableCircuitBreaker = false;
                o.AttemptTimeout = TimeSpan.FromSeconds(10);
                o.TotalTimeout = TimeSpan.FromSeconds(20);
            });

        var failures = new List<string>();
        foreach (var variant in variants)
        {
            Volatile.Write(ref current, variant);
            try
            {
                await service.RunAsync(variant.Operation).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (AzureMlException ex)
            {
                if (string.IsNullOrWhiteSpace(ex.Message))
                {
                    failures.Add($"{variant.Name}: an empty message");
                }

                if (ex.ErrorCode is { } code && (code.StartsWith('{') || code.StartsWith('[') || code.StartsWith('"') || code is "true" or "false" || char.IsDigit(code[0]) || code.StartsWith('-')))
                {
                    failures.Add($"{variant.Name}: ErrorCode is raw JSON ({code}), not the service's string");
                }
            }
            catch (TimeoutException)
            {
                failures.Add($"{variant.Name}: did not end within 30 s");
            }
            catch (Exception ex)
            {
                failures.Add($"{variant.Name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        string.Join(Environment.NewLine, failures).Should().BeEmpty("{0} of {1} variants ended otherwise", failures.Count, variants.Count);
    }

    private static List<int> StringStarts(string json)
    {
        var starts = new List<int>();
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == '\\' && inString)
            {
                i++;
            }
            else if (json[i] == '"')
            {
                if (!inString)
                {
                    starts.Add(i);
                }

                inString = !inString;
            }
        }

        return starts;
    }

    private static void CollectPaths(JsonNode? node, List<object> prefix, List<List<object>> paths)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    var path = new List<object>(prefix) { key };
                    paths.Add(path);
                    CollectPaths(child, path, paths);
                }

                break;
            case JsonArray arr:
                for (var i = 0; i < arr.Count; i++)
                {
                    var path = new List<object>(prefix) { i };
                    paths.Add(path);
                    CollectPaths(arr[i], path, paths);
                }

                break;
        }

        if (prefix.Count == 0)
        {
            paths.Add([]);
        }
    }

    private static string Replace(JsonNode? root, List<object> path, string wrong)
    {
        if (path.Count == 0)
        {
            return wrong;
        }

        var parent = root!;
        foreach (var step in path.Take(path.Count - 1))
        {
            parent = step is string key ? parent[key]! : parent[(int)step]!;
        }

        var placeholder = "\"__wrong__\"";
        if (path[^1] is string last)
        {
            parent[last] = JsonValue.Create("__wrong__");
        }
        else
        {
            parent[(int)path[^1]] = JsonValue.Create("__wrong__");
        }

        return root!.ToJsonString().Replace(placeholder, wrong, StringComparison.Ordinal);
    }
}
