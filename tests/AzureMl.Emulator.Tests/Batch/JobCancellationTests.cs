using System.Net;
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
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rowsScored = 0;
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], async (row, ct) =>
        {
            Interlocked.Increment(ref rowsScored);
            if (row["x"] == "block")
            {
                firstEntered.TrySetResult();
                await gate.Task.WaitAsync(ct);
            }

            return (IReadOnlyList<string?>)[row["x"]];
        });
        await using var emulator = await fixture.StartEmulatorAsync(o =>
        {
            o.Model = model;
            o.MaxConcurrentJobs = 1;
        });
        var container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(container, "block.csv", "x\nblock\n");
        await UploadAsync(container, "free.csv", "x\nfree\n");
        var first = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/block.csv")}}} }""");
        var second = await SubmitAsync(emulator, $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/free.csv")}}} }""");
        await StartAsync(emulator, first);
        await firstEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await StartAsync(emulator, second);
        (await StatusAsync(emulator, second))["StatusCode"]!.GetValue<string>().Should().Be("Running");
        Volatile.Read(ref rowsScored).Should().Be(1, "the second job waits for the only slot");

        gate.SetResult();
        (await WaitForEndAsync(emulator, first))["StatusCode"]!.GetValue<string>().Should().Be("Finished");
        (await WaitForEndAsync(emulator, second))["StatusCode"]!.GetValue<string>().Should().Be("Finished");
        Volatile.Read(ref rowsScored).Should().Be(2);
    }
}
