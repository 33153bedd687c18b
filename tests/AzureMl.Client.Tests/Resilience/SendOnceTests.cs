using AzureMl.Client.Batch;
using Microsoft.Extensions.Logging.Testing;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>
/// What the service receives when a connection ends badly, counted on the wire: submit and start exactly once,
/// execute, status and delete once plus one per retry the client's own pipeline logged (nothing below it re-sends).
/// </summary>
public sealed class SendOnceTests
{
    internal const string ExecuteAnswer = """{"Results":{"output1":{"type":"table","value":{"ColumnNames":["Col2","Score"],"ColumnTypes":["String","Double"],"Values":[["This is a good day","0.9"]]}}}}""";
    internal const string StatusAnswer = """{"StatusCode":"Running","Results":null,"Details":null}""";

    public static TheoryData<AzureMlOperation, WireEnd, bool> Cases()
    {
        var data = new TheoryData<AzureMlOperation, WireEnd, bool>();
        foreach (var op in Enum.GetValues<AzureMlOperation>())
        {
            foreach (var end in new[] { WireEnd.CloseBeforeAnswer, WireEnd.ResetBeforeAnswer, WireEnd.ResetMidBody, WireEnd.CloseMidBody })
            {
                data.Add(op, end, false);
                data.Add(op, end, true);
            }
        }

        return data;
    }

    internal static WireReply OkFor(WireRequest request) => request switch
    {
        { Method: "POST", Path: "/score" } => WireReply.Ok("[[1, 1, 2, 2, 0, 2, 0, 1]]"),
        { Method: "POST", Path: var p } when p.EndsWith("/execute", StringComparison.Ordinal) => WireReply.Ok(ExecuteAnswer),
        { Method: "POST", Path: var p } when p.EndsWith("/jobs", StringComparison.Ordinal) => WireReply.Ok("\"" + TestHost.JobId + "\""),
        { Method: "POST" } => new WireReply(WireEnd.Answer, 200, string.Empty, ContentType: null),
        { Method: "GET" } => WireReply.Ok(StatusAnswer),
        _ => new WireReply(WireEnd.Answer, 200, string.Empty, ContentType: null),
    };

    internal static bool IsOperation(WireRequest request, AzureMlOperation operation)
    {
        var (method, _, path) = TestHost.Route(operation);
        return request.Method == method.Method && request.Path == path;
    }

    internal static Task RunPublicAsync(TestHost host, AzureMlOperation operation, CancellationToken cancellationToken = default) => operation switch
    {
        AzureMlOperation.Score => host.Online.ScoreAsync(new ScoringTable("Col2").AddRow("This is a good day"), cancellationToken: cancellationToken),
        AzureMlOperation.Execute => host.Client.ExecuteAsync(new ScoringTable("Col2").AddRow("This is a good day"), cancellationToken),
        AzureMlOperation.SubmitJob => host.Client.SubmitJobAsync(SampleJob(), cancellationToken),
        AzureMlOperation.StartJob => host.Client.StartJobAsync(TestHost.JobId, cancellationToken),
        AzureMlOperation.GetJobStatus => host.Client.GetJobStatusAsync(TestHost.JobId, cancellationToken),
        AzureMlOperation.DeleteJob => host.Client.DeleteJobAsync(TestHost.JobId, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    internal static BatchJobRequest SampleJob()
    {
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + Secrets.SecretScanner.AccountKey + ";EndpointSuffix=core.windows.net", "c", "in.csv");
        return request;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PublicMethod_ConnectionEndsBadly_ServiceReceivesOnlyWhatThePipelineSent(AzureMlOperation operation, WireEnd end, bool reusedConnection)
    {
        var armed = reusedConnection ? 0 : 1;
        var faulted = 0;
        using var server = new WireScriptServer((request, _) =>
            Volatile.Read(ref armed) == 1 && IsOperation(request, operation) && Interlocked.Exchange(ref faulted, 1) == 0 ? new WireReply(end) : OkFor(request));
        using var host = new TestHost(server.Url, () => server.Received.Count);
        var before = 0;
        if (reusedConnection)
        {
            // A first exchange leaves a pooled keep-alive connection, which is where a silent re-send would happen.
            await (operation == AzureMlOperation.Score ? RunPublicAsync(host, operation) : host.Client.GetJobStatusAsync(TestHost.JobId));
            before = server.Received.Count;
            Volatile.Write(ref armed, 1);
        }

        var error = await host.CaptureAsync(() => RunPublicAsync(host, operation));

        var sent = server.Received.Skip(before).Count(r => IsOperation(r, operation));
        var retriesLogged = host.Logs.GetSnapshot().Count(r => r.Id.Name == "RetryScheduled");
        if (operation.IsIdempotent())
        {
            sent.Should().Be(1 + retriesLogged, "every send the service saw is an attempt the pipeline counted and logged");
            error.Should().BeNull("the pipeline's retry succeeds");
        }
        else if (operation == AzureMlOperation.StartJob && end is WireEnd.ResetMidBody or WireEnd.CloseMidBody)
        {
            sent.Should().Be(1, "a start must reach the service at most once");
            error.Should().BeNull("the 200 status line arrived: the job started, and a start's body carries nothing");
        }
        else
        {
            sent.Should().Be(1, "{0} must reach the service at most once", operation);
            retriesLogged.Should().Be(0);
            var ex = error.Should().BeOfType<AzureMlException>().Subject;
            ex.IsOutcomeUnknown.Should().BeTrue();
            if (operation == AzureMlOperation.StartJob)
            {
                ex.JobId.Should().Be(TestHost.JobId);
                ex.Message.Should().Contain(TestHost.JobId);
            }
        }

        if (reusedConnection && end is WireEnd.CloseBeforeAnswer or WireEnd.ResetBeforeAnswer)
        {
            server.Received.Skip(before).First(r => IsOperation(r, operation)).Connection.Should().Be(1, "the faulted request went on the pooled connection");
        }
    }
}
