using System.Globalization;

namespace AzureMl.Client.Tests.RequestResponse;

public class ScoringTableTests
{
    [Fact]
    public void AddRow_MixedValues_FormatsInvariantly()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var table = new ScoringTable("a", "b", "c", "d", "e", "f")
                .AddRow(1.5, true, new DateTime(2015, 1, 31, 13, 2, 3, DateTimeKind.Utc), null, 12345678901L, 2.5m);

            table.Rows[0].Should().Equal("1.5", "True", "2015-01-31T13:02:03.0000000Z", null, "12345678901", "2.5");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void AddRow_WrongCellCount_ThrowsNamingRowIndex()
    {
        var table = new ScoringTable("a", "b").AddRow("1", "2");

        var act = () => table.AddRow("only one");

        act.Should().Throw<ArgumentException>().WithMessage("Row 1 has 1 cells but the table has 2 columns (a, b)*").And.ParamName.Should().Be("cells");
        table.Rows.Should().HaveCount(1);
    }

    [Fact]
    public void AddRow_StringArray_TakesEachElementAsACell()
    {
        string?[] cells = ["x", null];

        var table = new ScoringTable("a", "b").AddRow(cells);

        table.Rows[0].Should().Equal("x", null);
    }

    [Fact]
    public void AddRow_CollectionCell_Throws()
    {
        var act = () => new ScoringTable("a").AddRow(new List<int> { 1, 2 });

        act.Should().Throw<ArgumentException>().WithMessage("Row 0, cell 0: A cell cannot be a collection*");
    }

    [Fact]
    public void AddRows_Selector_AddsOneRowPerItemAndKeepsNoneOnError()
    {
        var table = new ScoringTable("name", "age");
        table.AddRows(new[] { ("ann", 31), ("bob", 42) }, p => [p.Item1, p.Item2]);

        table.Rows.Should().HaveCount(2);
        table.Rows[1].Should().Equal("bob", "42");

        var act = () => table.AddRows(new[] { 1, 2 }, i => i == 2 ? [i] : [i, i]);
        act.Should().Throw<ArgumentException>().WithMessage("Row 3 has 1 cells*");
        table.Rows.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\r\nb")]
    [InlineData("tab\there")]
    public void Constructor_BadColumnName_Throws(string name)
    {
        var act = () => new ScoringTable("ok", name);

        act.Should().Throw<ArgumentException>().WithMessage("Column name 1 *").And.ParamName.Should().Be("columnNames");
    }

    [Fact]
    public void Constructor_NoColumns_Throws()
    {
        var act = () => new ScoringTable(Array.Empty<string>());

        act.Should().Throw<ArgumentException>().WithMessage("*at least one column*");
    }
}
