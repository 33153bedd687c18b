using System.Text.Json.Serialization;

namespace AzureMl.Client.Tests.BulkScoring;

[JsonConverter(typeof(JsonStringEnumConverter<Species>))]
public enum Species
{
    Setosa,
    Versicolor,
    Virginica,
}

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "One property per supported type, named after it.")]
public sealed record AllTypes
{
    public string? Text { get; init; }

    public char Letter { get; init; }

    public int Int { get; init; }

    public long Long { get; init; }

    public short Short { get; init; }

    public double Double { get; init; }

    public float Float { get; init; }

    public decimal Decimal { get; init; }

    public bool Bool { get; init; }

    public DateTime DateTime { get; init; }

    public DateTimeOffset DateTimeOffset { get; init; }

    public DateOnly DateOnly { get; init; }

    public TimeOnly TimeOnly { get; init; }

    public TimeSpan TimeSpan { get; init; }

    public Guid Guid { get; init; }

    public Species Species { get; init; }

    public int? NullableInt { get; init; }

    public double? NullableDouble { get; init; }

    public bool? NullableBool { get; init; }

    public DateTime? NullableDateTime { get; init; }

    public Guid? NullableGuid { get; init; }

    public Species? NullableSpecies { get; init; }
}

public sealed record Review([property: JsonPropertyName("Col2")] string Text, int Stars);

public sealed record ReviewScore([property: JsonPropertyName("Col2")] string Text, [property: JsonPropertyName("Scored")] string? Label);

public sealed record MissingColumn(string Text, double Probability);

public sealed record NotACell(string Text, List<string> Tags);

public sealed record StrictStars(int Stars);

[JsonSerializable(typeof(AllTypes))]
[JsonSerializable(typeof(Review))]
[JsonSerializable(typeof(ReviewScore))]
[JsonSerializable(typeof(MissingColumn))]
[JsonSerializable(typeof(NotACell))]
[JsonSerializable(typeof(StrictStars))]
public sealed partial class TypedRowsJsonContext : JsonSerializerContext;

public sealed class TypedRowsTests
{
    private static readonly AllTypes Full = new()
    {
        Text = "naïve \"quoted\" <text>",
        Letter = 'q',
        Int = -123_456,
        Long = 9_007_199_254_740_993,
        Short = -12,
        Double = 0.1 + 0.2,
        Float = 3.14159f,
        Decimal = 79_228_162_514_264_337_593_543.9503m,
        Bool = true,
        DateTime = new DateTime(2015, 1, 31, 13, 2, 3, 456, DateTimeKind.Utc),
        DateTimeOffset = new DateTimeOffset(2016, 2, 29, 23, 59, 59, TimeSpan.FromHours(5.5)),
        DateOnly = new DateOnly(2020, 12, 31),
        TimeOnly = new TimeOnly(7, 8, 9, 10),
        TimeSpan = new TimeSpan(1, 2, 3, 4, 5),
        Guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Species = Species.Virginica,
        NullableInt = 42,
        NullableDouble = -1.5e-300,
        NullableBool = false,
        NullableDateTime = new DateTime(1999, 12, 31, 0, 0, 0, DateTimeKind.Unspecified),
        NullableGuid = Guid.Empty,
        NullableSpecies = Species.Setosa,
    };

    private static readonly AllTypes Nulls = new() { Letter = 'n', Text = null };

    [Fact]
    public async Task ScoreAsync_EverySupportedType_RoundTrips()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var results = await client.ScoreAsync([Full, Nulls], TypedRowsJsonContext.Default.AllTypes, TypedRowsJsonContext.Default.AllTypes);

        results.Should().HaveCount(2);
        results[0].Should().Be(Full);
        results[1].Should().Be(Nulls);
    }

    [Fact]
    public async Task ScoreAsync_EverySupportedType_SendsInvariantCells()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            await client.ScoreAsync([Full, Nulls], TypedRowsJsonContext.Default.AllTypes, TypedRowsJsonContext.Default.AllTypes);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }

        var call = service.Received.Single();
        string? Cell(int row, string column) => call.Rows[row][Array.IndexOf(call.Columns, column)];
        Cell(0, "Double").Should().Be("0.30000000000000004");
        Cell(0, "Decimal").Should().Be("79228162514264337593543.9503");
        Cell(0, "Bool").Should().Be("True");
        Cell(0, "DateTime").Should().Be("2015-01-31T13:02:03.4560000Z");
        Cell(0, "Species").Should().Be("Virginica");
        Cell(1, "NullableInt").Should().BeNull();
        Cell(1, "Text").Should().BeNull();
    }

    [Fact]
    public async Task ScoreBulkAsync_RenamedColumn_SendsAndReadsTheJsonName()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();
        var reviews = Enumerable.Range(0, 25).Select(i => new Review($"review {i}", i % 5));

        var scores = new List<ReviewScore>();
        await foreach (var chunk in client.ScoreBulkAsync(reviews, TypedRowsJsonContext.Default.Review, TypedRowsJsonContext.Default.ReviewScore, new BulkScoringOptions { ChunkSize = 10 }))
        {
            chunk.Output!.ColumnNames.Should().Contain("Col2");
            scores.AddRange(chunk.Results);
        }

        service.Received.Should().OnlyContain(c => c.Columns.SequenceEqual(new[] { "Col2", "Stars" }));
        scores.Should().HaveCount(25);
        scores[13].Should().Be(new ReviewScore("review 13", "scored:review 13"));
    }

    [Fact]
    public async Task ScoreAsync_OutputPropertyWithoutColumn_ThrowsListingColumns()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var act = () => client.ScoreAsync([new Review("good", 5)], TypedRowsJsonContext.Default.Review, TypedRowsJsonContext.Default.MissingColumn);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should()
            .Contain("MissingColumn.Text has no column 'Text' in output 'output1'")
            .And.Contain("Columns: Col2, Stars, Scored")
            .And.Contain("[JsonPropertyName");
    }

    [Fact]
    public void ScoreBulkAsync_InputPropertyThatCannotBeACell_ThrowsNamingIt()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var act = () => client.ScoreBulkAsync(Array.Empty<NotACell>(), TypedRowsJsonContext.Default.NotACell, TypedRowsJsonContext.Default.Review);

        act.Should().Throw<ArgumentException>().Which.Should().Match<ArgumentException>(e =>
            e.ParamName == "inputType" && e.Message.Contains("NotACell.Tags is a List`1, which cannot be sent as a cell") && e.Message.Contains("[JsonIgnore]"));
    }

    [Fact]
    public async Task ScoreAsync_NullCellForNonNullableProperty_ThrowsWithFix()
    {
        using var service = new FakeService(Transport.InMemory).Always(FakeAnswer.Json("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["Stars"],"Values":[["4"],[null]]}}}}"""));
        var client = service.CreateClient();

        var act = () => client.ScoreAsync([new Review("a", 1)], TypedRowsJsonContext.Default.Review, TypedRowsJsonContext.Default.StrictStars);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should()
            .Be("Output row 1, column 'Stars' is null, but StrictStars.Stars is a non-nullable Int32: make it Int32? to accept nulls.");
    }

    [Fact]
    public async Task ScoreAsync_CellNotConvertible_ThrowsNamingRowAndColumn()
    {
        using var service = new FakeService(Transport.InMemory).Always(FakeAnswer.Json("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["Stars"],"Values":[["four"]]}}}}"""));
        var client = service.CreateClient();

        var act = () => client.ScoreAsync([new Review("a", 1)], TypedRowsJsonContext.Default.Review, TypedRowsJsonContext.Default.StrictStars);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should()
            .Contain("Output row 0, column 'Stars' holds \"four\", which is not a valid Int32");
    }

    [Fact]
    public async Task ScoreAsync_NoRows_ThrowsArgumentException()
    {
        using var service = new FakeService(Transport.InMemory).Echo();
        var client = service.CreateClient();

        var act = () => client.ScoreAsync(Array.Empty<Review>(), TypedRowsJsonContext.Default.Review, TypedRowsJsonContext.Default.ReviewScore);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("rows");
    }
}
