using System.Net;

namespace AzureMl.Emulator.Tests.RequestResponse;

[Collection(EmulatorCollection.Name)]
public sealed class UserModelTests(AzuriteFixture fixture)
{
    private static readonly EmulatedColumn[] Inputs = [new("a", "Double"), new("b", "Double")];

    [Fact]
    public async Task Execute_DelegateModel_ScoresWithDeclaredSchema()
    {
        var model = EmulatedModel.Create(Inputs, [new EmulatedColumn("sum", "Double")], row =>
            [(double.Parse(row["a"]!, System.Globalization.CultureInfo.InvariantCulture) + double.Parse(row["b"]!, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = model);

        using var response = await emulator.ExecuteAsync("""{"Inputs":{"input1":{"ColumnNames":["b","a"],"Values":[["1.5", 2],["3","4"]]}},"GlobalParameters":{}}""", "api-version=2.0&details=true");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var value = (await response.JsonAsync())["Results"]!["output1"]!["value"]!;
        value["ColumnTypes"]![0]!.GetValue<string>().Should().Be("Double");
        ExecuteTests.Rows(value).Select(r => r[0]).Should().Equal("3.5", "7");
    }

    [Fact]
    public async Task Execute_AdditionalService_ServedWithItsOwnKey()
    {
        const string id = "11111111111111111111111111111111";
        var echo = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], row => [row["x"] + "!"]);
        await using var emulator = await fixture.StartEmulatorAsync(o => o.AdditionalServices.Add(new EmulatedService(id, "other-key", echo)));

        using var ok = await EmulatorHttp.SendAsync(HttpMethod.Post, new Uri(emulator.GetServiceUri(id) + "/execute?api-version=2.0"), """{"Inputs":{"input1":{"ColumnNames":["x"],"Values":[["hi"]]}}}""", "other-key");
        using var wrongKey = await EmulatorHttp.SendAsync(HttpMethod.Post, new Uri(emulator.GetServiceUri(id) + "/execute?api-version=2.0"), """{"Inputs":{"input1":{"ColumnNames":["x"],"Values":[["hi"]]}}}""");

        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        ExecuteTests.Rows((await ok.JsonAsync())["Results"]!["output1"]!["value"]!)[0].Should().Equal("hi!");
        wrongKey.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        emulator.ReceivedCount(EmulatorRoute.Execute, id).Should().Be(2);
        emulator.ReceivedCount(EmulatorRoute.Execute, emulator.ServiceId).Should().Be(0);
    }

    [Fact]
    public async Task Execute_ModelThrows_ModuleExecutionError()
    {
        var model = EmulatedModel.Create(Inputs, [new EmulatedColumn("y")], _ => throw new InvalidOperationException("boom"));
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = model);

        using var response = await emulator.ExecuteAsync("""{"Inputs":{"input1":{"ColumnNames":["a","b"],"Values":[["1","2"]]}}}""");

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "ModuleExecutionError", "ModuleExecutionError");
    }

    [Fact]
    public async Task Execute_OverConcurrencyLimit_ServiceUnavailable()
    {
        var entered = 0;
        var bothEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], async (row, ct) =>
        {
            if (Interlocked.Increment(ref entered) == 2)
            {
                bothEntered.TrySetResult();
            }

            await gate.Task.WaitAsync(ct);
            return (IReadOnlyList<string?>)[row["x"]];
        });
        await using var emulator = await fixture.StartEmulatorAsync(o =>
        {
            o.Model = model;
            o.MaxConcurrentRequests = 2;
        });
        const string body = """{"Inputs":{"input1":{"ColumnNames":["x"],"Values":[["1"]]}}}""";

        var first = emulator.ExecuteAsync(body);
        var second = emulator.ExecuteAsync(body);
        await bothEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using (var third = await emulator.ExecuteAsync(body))
        {
            await third.ShouldBeServiceErrorAsync(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "TooManyConcurrentRequests");
        }

        gate.SetResult();
        using var firstResponse = await first;
        using var secondResponse = await second;
        firstResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        secondResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        emulator.PeakConcurrentRequests.Should().Be(2);
        emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(3);
        emulator.ResetCounters();
        emulator.PeakConcurrentRequests.Should().Be(0);
    }

    [Fact]
    public async Task Execute_RequiredGlobalParameterMissing_MissingRequiredGlobalParameters()
    {
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = new ParameterModel());

        using var missing = await emulator.ExecuteAsync("""{"Inputs":{"input1":{"ColumnNames":["x"],"Values":[["1"]]}},"GlobalParameters":{}}""");
        using var given = await emulator.ExecuteAsync("""{"Inputs":{"input1":{"ColumnNames":["x"],"Values":[["1"]]}},"GlobalParameters":{"suffix":"?"}}""");

        await missing.ShouldBeServiceErrorAsync(HttpStatusCode.BadRequest, "BadArgument", "MissingRequiredGlobalParameters");
        ExecuteTests.Rows((await given.JsonAsync())["Results"]!["output1"]!["value"]!)[0].Should().Equal("1?");
    }

    [Fact]
    public async Task Execute_SlowerThanExecutionTimeout_ScoreRequestTimeout()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y")], async (row, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return (IReadOnlyList<string?>)[row["x"]];
        });
        await using var emulator = await fixture.StartEmulatorAsync(o =>
        {
            o.Model = model;
            o.ExecutionTimeout = TimeSpan.FromSeconds(30);
            o.TimeProvider = time;
        });

        var call = emulator.ExecuteAsync("""{"Inputs":{"input1":{"ColumnNames":["x"],"Values":[["1"]]}}}""");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(30));
        using var response = await call;

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.RequestTimeout, "RequestTimeout", "ScoreRequestTimeout");
    }

    private sealed class ParameterModel() : EmulatedModel([new EmulatedColumn("x")], [new EmulatedColumn("y")], ["suffix"])
    {
        public override ValueTask<IReadOnlyList<string?>> ScoreAsync(EmulatedRow row, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string?>>([row["x"] + row.GlobalParameters["suffix"]]);
    }
}
