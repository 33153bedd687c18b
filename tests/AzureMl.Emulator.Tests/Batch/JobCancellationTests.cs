using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static AzureMl.Emulator.Tests.Batch.BatchTestKit;

namespace AzureMl.Emulator.Tests.Batch;

[Collection(EmulatorCollection.Name)]
public sealed class JobCancellationTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Delete_RunningJobWithOutputOverride_NoPartialOutputOnceAnswered()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], async (row, ct) =>
        {
            if (row.Index == 1)
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return (IReadOnlyList<string?>)[row["x"]];
        });
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = model);
        var container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(container, "in.csv", "x\n1\n2\n3\n");
        var jobId = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/in.csv")}}},"Outputs":{"output1":{{Reference(fixture.ConnectionString, $"{container.Name}/out.csv")}}} }""");
        await StartAsync(emulator, jobId);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Delete, emulator.Url($"jobs/{jobId}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await container.GetBlobClient("out.csv").ExistsAsync()).Value.Should().BeFalse("a cancelled job leaves no partial output, and its work has stopped when DELETE answers");
    }

    [Fact]
    public async Task Job_FailsAfterSomeRows_NoPartialOutput()
    {
        await using var emulator = await fixture.StartEmulatorAsync();
        var container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(container, "in.csv", "Col2\ngood\nalso good\ntoo,many\n");
        var jobId = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/in.csv")}}},"Outputs":{"output1":{{Reference(fixture.ConnectionString, $"{container.Name}/out.csv")}}} }""");
        await StartAsync(emulator, jobId);

        var status = await WaitForEndAsync(emulator, jobId);

        status["StatusCode"]!.GetValue<string>().Should().Be("Failed");
        (await container.GetBlobClient("out.csv").ExistsAsync()).Value.Should().BeFalse("a failed job leaves no partial output");
    }

    [Fact]
    public async Task Delete_RunningJob_CancelledAndWorkStops()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], async (row, ct) =>
        {
            using var registration = ct.Register(() => stopped.TrySetResult());
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return (IReadOnlyList<string?>)[row["x"]];
        });
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = model);
        var container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(container, "in.csv", "x\n1\n2\n");
        var jobId = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/in.csv")}}} }""");
        await StartAsync(emulator, jobId);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        (await StatusAsync(emulator, jobId))["StatusCode"]!.GetValue<string>().Should().Be("Running");

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Delete, emulator.Url($"jobs/{jobId}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var status = await StatusAsync(emulator, jobId);
        status["StatusCode"]!.GetValue<string>().Should().Be("Cancelled");
        status["Results"].Should().BeNull();
        using var start = await EmulatorHttp.SendAsync(HttpMethod.Post, emulator.Url($"jobs/{jobId}/start"));
        await start.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "InvalidOperation", "CannotStartJob");
    }

    [Fact]
    public async Task Start_OverJobLimit_QueuesUntilASlotFrees()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new ConcurrentQueue<string>();
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], async (row, ct) =>
        {
            var x = row["x"]!;
            events.Enqueue("enter " + x);
            if (x == "first")
            {
                firstEntered.TrySetResult();
                await release.Task.WaitAsync(ct);
            }
            else
            {
                secondEntered.TrySetResult();
            }

            events.Enqueue("leave " + x);
            return (IReadOnlyList<string?>)[x];
        });
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)));
        await using var emulator = await fixture.StartEmulatorAsync(o =>
        {
            o.Model = model;
            o.MaxConcurrentJobs = 1;
            o.LoggerFactory = loggerFactory;
        });
        var container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(container, "first.csv", "x\nfirst\n");
        await UploadAsync(container, "second.csv", "x\nsecond\n");
        var first = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/first.csv")}}} }""");
        var second = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/second.csv")}}} }""");
        await StartAsync(emulator, first);
        await firstEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var queued = FirstLogAsync(collector, r => r.Id.Name == "JobQueued" && r.Message.Contains(second, StringComparison.Ordinal), timeout.Token);

        await StartAsync(emulator, second);

        // Either the second job says it waits for the only slot, or (without a limit) its row is scored while the first is held.
        var signal = await Task.WhenAny(queued, secondEntered.Task).WaitAsync(TimeSpan.FromSeconds(30));
        (signal == queued).Should().BeTrue("the second job must wait for the only slot, not run beside the first");
        events.Should().Equal(["enter first"], "nothing of the second job runs while the first holds the slot");
        (await StatusAsync(emulator, second))["StatusCode"]!.GetValue<string>().Should().Be("Running", "a started job reports Running while it waits");

        release.SetResult();
        (await WaitForEndAsync(emulator, first))["StatusCode"]!.GetValue<string>().Should().Be("Finished");
        (await WaitForEndAsync(emulator, second))["StatusCode"]!.GetValue<string>().Should().Be("Finished");
        events.Should().Equal(["enter first", "leave first", "enter second", "leave second"], "the second job ran once the first released its slot");
    }

    private static async Task<FakeLogRecord> FirstLogAsync(FakeLogCollector collector, Func<FakeLogRecord, bool> match, CancellationToken cancellationToken)
    {
        await foreach (var record in collector.GetLogsAsync(cancellationToken))
        {
            if (match(record))
            {
                return record;
            }
        }

        throw new InvalidOperationException("The log ended without the record.");
    }
}
