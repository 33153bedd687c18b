namespace AzureMl.Emulator.Tests.Models;

public sealed class EmulatedModelTests
{
    [Fact]
    public void Outputs_SingleOutputModel_OneOutputNamedOutput1()
    {
        var model = EmulatedModel.Create([new EmulatedColumn("x")], [new EmulatedColumn("y", "Int32")], row => [row["x"]]);

        model.Outputs.Should().ContainSingle();
        model.Outputs[0].Name.Should().Be("output1");
        model.Outputs[0].Columns.Should().Equal(model.OutputColumns);
    }

    [Fact]
    public void Outputs_TwoOutputModel_BothInOrderAndFirstIsDefault()
    {
        var model = TwoOutputModel.Create();

        model.Outputs.Select(o => o.Name).Should().Equal("output1", "output2");
        model.OutputName.Should().Be("output1");
        model.OutputColumns.Select(c => c.Name).Should().Equal("text", "Length");
        model.Outputs[1].Columns.Select(c => c.Name).Should().Equal("Upper");
    }

    [Fact]
    public async Task ScoreOutputsAsync_SingleOutputModel_WrapsScoreAsync()
    {
        var model = new FeatureHashingModel(bits: 1, ngrams: 1);
        var row = new EmulatedRow(model.InputColumns, ["a"]);

        var rows = await model.ScoreOutputsAsync(row, CancellationToken.None);

        rows.Should().ContainSingle().Which.Should().Equal(await model.ScoreAsync(row, CancellationToken.None));
    }

    [Fact]
    public async Task ScoreAsync_TwoOutputModel_FirstOutputRow()
    {
        var model = TwoOutputModel.Create();

        var first = await model.ScoreAsync(new EmulatedRow(model.InputColumns, ["abc"]), CancellationToken.None);

        first.Should().Equal("abc", "3");
    }

    [Fact]
    public void Create_DuplicateOutputNames_ArgumentException()
    {
        var act = () => EmulatedModel.Create(
            [new EmulatedColumn("x")],
            [new EmulatedOutput("output1", [new EmulatedColumn("a")]), new EmulatedOutput("output1", [new EmulatedColumn("b")])],
            row => [[row["x"]], [row["x"]]]);

        act.Should().Throw<ArgumentException>().WithParameterName("outputs").WithMessage("*'output1' is used twice*");
    }

    [Fact]
    public void EmulatedOutput_NoColumns_ArgumentException()
    {
        var act = () => new EmulatedOutput("output2", []);

        act.Should().Throw<ArgumentException>().WithParameterName("columns");
    }

    [Fact]
    public async Task ScoreOutputsAsync_SeveralOutputsNotOverridden_NotSupportedWithFix()
    {
        var model = new UnfinishedModel();

        var act = async () => await model.ScoreOutputsAsync(new EmulatedRow(model.InputColumns, ["x"]), CancellationToken.None);

        await act.Should().ThrowAsync<NotSupportedException>().WithMessage("*must override ScoreOutputsAsync*");
    }

    private sealed class UnfinishedModel() : EmulatedModel(
        [new EmulatedColumn("x")],
        [new EmulatedOutput("output1", [new EmulatedColumn("a")]), new EmulatedOutput("output2", [new EmulatedColumn("b")])],
        null);
}
