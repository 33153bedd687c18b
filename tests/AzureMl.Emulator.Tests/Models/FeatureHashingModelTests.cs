namespace AzureMl.Emulator.Tests.Models;

public class FeatureHashingModelTests
{
    [Theory]
    [InlineData("I loved this book", new[] { 0, 1, 1, 2, 1, 0, 2, 0 })]
    [InlineData("I hated this book", new[] { 0, 0, 1, 1, 1, 2, 2, 0 })]
    [InlineData("This book was great", new[] { 0, 3, 0, 0, 1, 0, 1, 2 })]
    [InlineData("I love books", new[] { 0, 1, 2, 0, 0, 1, 0, 1 })]
    public void Hash_CheckVector_MatchesDocumentedCounts(string text, int[] expected) =>
        new FeatureHashingModel().Hash(text).Should().Equal(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \t\n ")]
    public void Hash_EmptyText_GivesZeros(string? text) =>
        new FeatureHashingModel().Hash(text).Should().Equal(0, 0, 0, 0, 0, 0, 0, 0);

    [Fact]
    public void Hash_AnyWhitespace_SplitsLikeSpaces() =>
        new FeatureHashingModel().Hash("I\tloved \n this   book").Should().Equal(new FeatureHashingModel().Hash("I loved this book"));

    [Fact]
    public void Hash_CountsAddUpToFeatures_UnigramsAndBigrams() =>
        new FeatureHashingModel(bits: 10, ngrams: 2).Hash("one two three four").Sum().Should().Be(4 + 3);

    [Fact]
    public void Hash_NGramsThree_CountsTrigramsToo() =>
        new FeatureHashingModel(bits: 10, ngrams: 3).Hash("one two three four").Sum().Should().Be(4 + 3 + 2);

    [Fact]
    public void HashToken_Digits_HashToTheirValue() =>
        FeatureHashingModel.HashToken("2024").Should().Be(2024UL);

    [Fact]
    public void HashToken_Text_IsMurmurOfUtf8() =>
        FeatureHashingModel.HashToken("hello").Should().Be(0x248BFA47UL);

    [Fact]
    public void Constructor_Defaults_WalkthroughSchema()
    {
        var model = new FeatureHashingModel();

        model.InputColumns.Select(c => c.Name).Should().Equal("Col2");
        model.OutputColumns.Should().HaveCount(9);
        model.OutputColumns[0].Name.Should().Be("Col2");
        model.OutputColumns[0].Type.Should().Be("String");
        model.OutputColumns[8].Name.Should().Be("Col2_HashingFeature.7");
        model.OutputColumns[8].Type.Should().Be("Int32");
    }

    [Fact]
    public void Constructor_TwoColumns_AppendsFeaturesPerColumn()
    {
        var model = new FeatureHashingModel(bits: 1, ngrams: 1, columns: ["A", "B"]);

        model.OutputColumns.Select(c => c.Name).Should().Equal("A", "B", "A_HashingFeature.0", "A_HashingFeature.1", "B_HashingFeature.0", "B_HashingFeature.1");
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(32, 2)]
    [InlineData(3, 0)]
    [InlineData(3, 11)]
    public void Constructor_OutOfRange_Throws(int bits, int ngrams)
    {
        var act = () => new FeatureHashingModel(bits, ngrams);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task ScoreAsync_Row_KeepsInputAndAppendsCounts()
    {
        var model = new FeatureHashingModel();

        var output = await model.ScoreAsync(new EmulatedRow(model.InputColumns, ["I love books"]), CancellationToken.None);

        output.Should().Equal("I love books", "0", "1", "2", "0", "0", "1", "0", "1");
    }

    [Fact]
    public void EmulatedRow_WrongValueCount_Throws()
    {
        var act = () => new EmulatedRow([new EmulatedColumn("a")], ["1", "2"]);

        act.Should().Throw<ArgumentException>();
    }
}
