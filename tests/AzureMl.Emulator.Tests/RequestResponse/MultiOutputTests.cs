using System.Net;
using AzureMl.Emulator.Tests.Models;

namespace AzureMl.Emulator.Tests.RequestResponse;

[Collection(EmulatorCollection.Name)]
public sealed class MultiOutputTests(AzuriteFixture fixture)
{
    private const string Body = """{"Inputs":{"input1":{"ColumnNames":["text"],"Values":[["ab"],["xyz"]]}},"GlobalParameters":{}}""";

    [Fact]
    public async Task Execute_TwoOutputsTableForm_ReturnsEveryOutputWithItsSchema()
    {
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = TwoOutputModel.Create());

        using var response = await emulator.ExecuteAsync(Body, "api-version=2.0&details=true");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var results = (await response.JsonAsync())["Results"]!;
        results.AsObject().Select(p => p.Key).Should().Equal("output1", "output2");
        var first = results["output1"]!;
        first["type"]!.GetValue<string>().Should().Be("table");
        first["value"]!["ColumnNames"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("text", "Length");
        first["value"]!["ColumnTypes"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("String", "Int32");
        ExecuteTests.Rows(first["value"]!).Should().BeEquivalentTo(new[] { new[] { "ab", "2" }, new[] { "xyz", "3" } }, o => o.WithStrictOrdering());
        var second = results["output2"]!;
        second["value"]!["ColumnNames"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("Upper");
        ExecuteTests.Rows(second["value"]!).Select(r => r.Single()).Should().Equal("AB", "XYZ");
    }

    [Fact]
    public async Task Execute_TwoOutputsSwaggerForm_ReturnsRowObjectsPerOutput()
    {
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = TwoOutputModel.Create());

        using var response = await emulator.ExecuteAsync("""{"Inputs":{"input1":[{"text":"ab"},{"text":"xyz"}]},"GlobalParameters":{}}""", "api-version=2.0&format=swagger");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var results = (await response.JsonAsync())["Results"]!;
        results["output1"]!.AsArray().Select(r => r!["Length"]!.GetValue<string>()).Should().Equal("2", "3");
        results["output2"]!.AsArray().Select(r => r!["Upper"]!.GetValue<string>()).Should().Equal("AB", "XYZ");
        results["output2"]![0]!.AsObject().Select(p => p.Key).Should().Equal("Upper");
    }

    [Fact]
    public async Task Execute_ModelReturnsTooFewOutputRows_ModelOutputMismatch()
    {
        var model = EmulatedModel.Create(
            [new EmulatedColumn("text")],
            [new EmulatedOutput("output1", [new EmulatedColumn("a")]), new EmulatedOutput("output2", [new EmulatedColumn("b")])],
            row => [[row["text"]]]);
        await using var emulator = await fixture.StartEmulatorAsync(o => o.Model = model);

        using var response = await emulator.ExecuteAsync(Body);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.InternalServerError, "InternalError", "ModelOutputMismatch");
    }
}
