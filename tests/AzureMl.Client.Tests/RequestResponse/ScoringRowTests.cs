using System.Globalization;

namespace AzureMl.Client.Tests.RequestResponse;

public class ScoringRowTests
{
    private static ScoringOutput Output() => new(
        "output1",
        "table",
        ["s", "i", "l", "d", "m", "b", "dt", "dto", "n"],
        ["String", "Int32", "Int64", "Double", "Decimal", "Boolean", "DateTime", "DateTimeOffset", "String"],
        [
            ["héllo", "-42", "9000000000", "14748.9994776615", "1E-05", "True", "1/31/2015 1:02:03 PM", "2015-01-31T13:02:03+02:00", null],
            ["", "x", "1.5", "NaN", "abc", "FALSE", "2015-01-31T13:02:03Z", "2015-01-31 13:02:03", "v"],
        ]);

    [Fact]
    public void TypedReads_ValidCells_ParseInvariantly()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("fr-FR");
        try
        {
            var row = Output()[0];

            row.GetString("s").Should().Be("héllo");
            row.GetInt32("i").Should().Be(-42);
            row.GetInt64("l").Should().Be(9_000_000_000L);
            row.GetDouble("d").Should().Be(14748.9994776615);
            row.GetDecimal("m").Should().Be(0.00001m);
            row.GetBoolean("b").Should().BeTrue();
            row.GetDateTime("dt").Should().Be(new DateTime(2015, 1, 31, 13, 2, 3));
            row.GetDateTimeOffset("dto").Should().Be(new DateTimeOffset(2015, 1, 31, 13, 2, 3, TimeSpan.FromHours(2)));
            row.IsNull("n").Should().BeTrue();
            row.GetString("n").Should().BeNull();
            row["S"].Should().Be("héllo", "names match ignoring case when there is no exact match");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void TypedReads_SecondRow_ParsesOtherForms()
    {
        var row = Output()[1];

        row.GetDouble(3).Should().Be(double.NaN);
        row.GetBoolean(5).Should().BeFalse();
        row.GetDateTime(6).Should().Be(new DateTime(2015, 1, 31, 13, 2, 3, DateTimeKind.Utc));
        row.GetDateTime(6).Kind.Should().Be(DateTimeKind.Utc);
        row.GetDateTimeOffset(7).Offset.Should().Be(TimeSpan.Zero);
        row.GetString(0).Should().BeEmpty();
        row.IsNull(0).Should().BeFalse();
    }

    [Fact]
    public void GetInt32_InvalidValue_ThrowsNamingRowColumnAndValue()
    {
        var act = () => Output()[1].GetInt32("i");

        act.Should().Throw<FormatException>()
            .WithMessage("Output 'output1', row 1, column 'i' (index 1) holds \"x\", which is not a valid Int32 (read with the invariant culture).");
    }

    [Fact]
    public void GetInt64_NullCell_ThrowsSayingItIsNull()
    {
        var act = () => Output()[0].GetInt64("n");

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("Output 'output1', row 0, column 'n' (index 8) is null, so it has no Int64 value. Check IsNull first or use TryGetInt64.");
    }

    [Fact]
    public void GetDouble_EmptyCell_SaysTheCellIsEmpty()
    {
        var act = () => Output()[1].GetDouble(0);

        act.Should().Throw<FormatException>().WithMessage("*holds \"\"*the cell is empty*");
    }

    [Fact]
    public void TryGet_InvalidOrNull_ReturnsFalse()
    {
        var output = Output();

        output[1].TryGetInt32("i", out _).Should().BeFalse();
        output[1].TryGetInt64("l", out _).Should().BeFalse();
        output[1].TryGetDecimal("m", out _).Should().BeFalse();
        output[0].TryGetBoolean("n", out _).Should().BeFalse();
        output[0].TryGetDateTime("n", out _).Should().BeFalse();
        output[0].TryGetDateTimeOffset("s", out _).Should().BeFalse();
        output[0].TryGetDouble("d", out var d).Should().BeTrue();
        d.Should().Be(14748.9994776615);
        output[0].TryGetInt32(1, out var i).Should().BeTrue();
        i.Should().Be(-42);
    }

    [Fact]
    public void GetByName_UnknownColumn_ListsColumns()
    {
        var act = () => Output()[0].GetString("nope");

        act.Should().Throw<KeyNotFoundException>().WithMessage("Output 'output1' has no column 'nope'. Columns: s, i, l, d, m, b, dt, dto, n.");
    }

    [Fact]
    public void GetByName_NoColumnNames_ExplainsDetails()
    {
        var output = new ScoringOutput("output1", null, null, null, [["1"]]);

        var act = () => output[0].GetInt32("x");

        act.Should().Throw<InvalidOperationException>().WithMessage("*no column names*ScoringOptions.Details = true*");
        output[0].GetInt32(0).Should().Be(1);
    }

    [Fact]
    public void Indexer_ColumnOutOfRange_Throws()
    {
        var act = () => Output()[0][9];

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*has 9 columns*");
    }

    [Fact]
    public void Rows_Enumerate_YieldsEveryRowInOrder()
    {
        var output = Output();

        output.Rows.Select(r => r.Index).Should().Equal(0, 1);
        output.Rows[1].ToArray().Should().HaveCount(9);
        output.ToString().Should().Be("output1: 2 rows × 9 columns");
    }
}
