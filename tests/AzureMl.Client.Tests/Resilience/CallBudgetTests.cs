using System.Net.Http;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>
/// Every call ends within its budget however an answer's body stalls (headers sent, then half the body, then
/// nothing): success and error bodies, all five operations, through the public methods.
/// </summary>
public sealed class CallBudgetTests
{
    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Total = TimeSpan.FromSeconds(25);

    public static TheoryData<AzureMlOperation, int> Cases()
    {
        var data = new TheoryData<AzureMlOperation, int>();
        foreach (var op in Enum.GetValues<AzureMlOperation>())
        {
            foreach (var status in new[] { 200, 500, 502, 503 })
            {
                data.Add(op, status);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PublicMethod_BodyStallsAfterHeaders_EndsWithinTheBudgetSayingWhichAndWhat(AzureMlOperation operation, int status)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        using var service = new FakeService(Transport.Socket, time, resilience: o =>
        {
            o.AttemptTimeout = Attempt;
            o.TotalTimeout = Total;
        }).Always(FakeAnswer.Cut(WireEnd.StallMidBody, status));
        var started = time.GetUtcNow();

        // Fake time moves only while every request the server read is stalled mid-body and its headers have reached the
        // client, so each budget runs out while a body is being read however slowly the machine delivers the headers.
        // It moves no further than one step past the total budget: a call must end there on its own (a call that does
        // not fails the wait below), and under load it may take real milliseconds to do so while the clock stands.
        using var giveUp = new CancellationTokenSource();
        var call = Task.Run(() => service.RunAsync(operation, cancellationToken: giveUp.Token));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!call.IsCompleted && time.GetUtcNow() - started <= Total && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (service.Calls > 0 && service.Stalled == service.Calls && service.HeadersArrived == service.Calls)
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
            }

            await Task.Delay(1);
        }

        Exception? error = null;
        try
        {
            await call.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception thrown)
        {
            error = thrown;
        }
        finally
        {
            // A call still running failed the test; cancel it so the service (and the pipeline's executions) can be
            // disposed, instead of the test hanging on them.
            await giveUp.CancelAsync();
        }

        if (status == 200 && operation is AzureMlOperation.StartJob or AzureMlOperation.DeleteJob)
        {
            error.Should().BeNull("a {0} is complete with its 200 status line; its body is not waited for", operation);
            return;
        }

        var ex = error.Should().BeOfType<AzureMlException>().Subject;
        ex.ErrorCode.Should().Be("Timeout");
        ex.Message.Should().Contain($"the {status} answer's body (100 bytes) was being read");
        ex.Message.Should().Contain(operation.IsIdempotent()
            ? "the total time budget (AzureMlResilienceOptions.TotalTimeout, 25 s) ran out"
            : "the attempt timeout (AzureMlResilienceOptions.AttemptTimeout, 10 s) ran out");
        ex.IsOutcomeUnknown.Should().Be(!operation.IsIdempotent());
        ex.Message.Should().NotContain("Operation canceled", "a timeout's own cancellation is not reported as the cause");
        if (operation is not AzureMlOperation.Execute and not AzureMlOperation.SubmitJob and not AzureMlOperation.Score)
        {
            ex.Message.Should().Contain(TestIds.JobId);
        }
    }

    [Fact]
    public async Task ExecuteAsync_OwnHttpClientBodyStalls_EndsAtHttpClientTimeout()
    {
        using var service = new FakeService(Transport.Socket).Always(FakeAnswer.Cut(WireEnd.StallMidBody, 200));
        var http = service.CreateHttpClient();
        http.Timeout = TimeSpan.FromMilliseconds(700);
        var client = new AzureMlClient(http, service.Options());

        var act = () => client.ExecuteAsync(new ScoringTable("Col2").AddRow("x")).WaitAsync(TimeSpan.FromSeconds(30));

        var ex = (await act.Should().ThrowAsync<AzureMlException>()).Which;
        ex.ErrorCode.Should().Be("Timeout");
        ex.Message.Should().Contain("timed out: the HttpClient.Timeout of 0.7 s ran out while the 200 answer's body (100 bytes) was being read");
    }
}
