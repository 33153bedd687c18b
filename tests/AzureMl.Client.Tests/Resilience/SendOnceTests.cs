namespace AzureMl.Client.Tests.Resilience;

/// <summary>
/// What the service receives when a connection ends badly, counted on the wire: submit and start exactly once,
/// execute, status and delete once plus one per retry the client's own pipeline logged (nothing below it re-sends).
/// </summary>
public sealed class SendOnceTests
{
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

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PublicMethod_ConnectionEndsBadly_ServiceReceivesOnlyWhatThePipelineSent(AzureMlOperation operation, WireEnd end, bool reusedConnection)
    {
        var armed = reusedConnection ? 0 : 1;
        var faulted = 0;
        using var service = new FakeService(Transport.Socket).Answer(call =>
            Volatile.Read(ref armed) == 1 && FakeService.IsOperation(call, operation) && Interlocked.Exchange(ref faulted, 1) == 0 ? FakeAnswer.Cut(end) : FakeAnswer.OkFor(call));
        var before = 0;
        if (reusedConnection)
        {
            // A first exchange leaves a pooled keep-alive connection, which is where a silent re-send would happen.
            await (operation == AzureMlOperation.Score ? service.RunAsync(operation) : service.Client.GetJobStatusAsync(TestIds.JobId));
            before = service.Received.Count;
            Volatile.Write(ref armed, 1);
        }

        var error = await service.CaptureAsync(() => service.RunAsync(operation));

        var sent = service.Received.Skip(before).Count(r => FakeService.IsOperation(r, operation));
        var retriesLogged = service.Logs.GetSnapshot().Count(r => r.Id.Name == "RetryScheduled");
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
                ex.JobId.Should().Be(TestIds.JobId);
                ex.Message.Should().Contain(TestIds.JobId);
            }
        }

        if (reusedConnection && end is WireEnd.CloseBeforeAnswer or WireEnd.ResetBeforeAnswer)
        {
            service.Received.Skip(before).First(r => FakeService.IsOperation(r, operation)).Connection.Should().Be(1, "the faulted request went on the pooled connection");
        }
    }
}
