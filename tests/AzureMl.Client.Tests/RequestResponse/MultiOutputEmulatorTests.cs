using System.Globalization;
using AzureMl.Emulator;

namespace AzureMl.Client.Tests.RequestResponse;

/// <summary>Request-response scoring of a service with two outputs, against the emulator.</summary>
public sealed class MultiOutputEmulatorTests : IAsyncLifetime
{
    // Scoring needs no storage: a syntactically valid connection string keeps the emulator from starting Azurite.
    private const string NoStorage = "UseDevelopmentStorage=true";
    private AzureMlEmulator _emulator = null!;
    private FakeService? _service;

    public async Task InitializeAsync() =>
        _emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            StorageConnectionString = NoStorage,
            Model = EmulatedModel.Create(
                [new EmulatedColumn("text")],
                [
                    new EmulatedOutput("output1", [new EmulatedColumn("Length", "Int32")]),
                    new EmulatedOutput("output2", [new EmulatedColumn("Upper"), new EmulatedColumn("Reversed")]),
                ],
                row =>
                {
                    var text = row["text"]!;
                    return [[text.Length.ToString(CultureInfo.InvariantCulture)], [text.ToUpperInvariant(), new string([.. text.Reverse()])]];
                }),
        });

    public async Task DisposeAsync()
    {
        _service?.Dispose();
        await _emulator.DisposeAsync();
    }

    private AzureMlClient CreateClient() => (_service ??= FakeService.OfEmulator(_emulator)).CreateClient();

    [Fact]
    public async Task ExecuteAsync_TwoOutputService_ReadsOutput2WithSchema()
    {
        var request = new ScoringRequest(new ScoringTable("text").AddRow("abc").AddRow("hello"));

        var result = await CreateClient().ExecuteAsync(request);

        result.Outputs.Keys.Should().BeEquivalentTo("output1", "output2");
        var second = result.GetOutput("output2");
        second.ColumnNames.Should().Equal("Upper", "Reversed");
        second.ColumnTypes.Should().Equal("String", "String");
        second.RowCount.Should().Be(2);
        second[0][second.GetColumnIndex("Upper")].Should().Be("ABC");
        second[1][second.GetColumnIndex("Reversed")].Should().Be("olleh");
        result.GetOutput("output1")[1][0].Should().Be("5");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_TwoOutputService_ReadsOutput2Rows()
    {
        var request = new SwaggerScoringRequest([new Dictionary<string, string?> { ["text"] = "abc" }]);

        var result = await CreateClient().ExecuteSwaggerAsync(request);

        var second = result.GetOutput("output2");
        second.Should().ContainSingle();
        second[0]["Upper"].Should().Be("ABC");
        second[0]["Reversed"].Should().Be("cba");
        result.GetOutput("output1")[0]["Length"].Should().Be("3");
    }
}
