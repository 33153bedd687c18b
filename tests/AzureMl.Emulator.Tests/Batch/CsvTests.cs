using AzureMl.Csv;

namespace AzureMl.Emulator.Tests.Batch;

public class CsvTests
{
    [Theory]
    [InlineData("a,b\n1,2\n", new[] { "a|b", "1|2" })]
    [InlineData("a,b\r\n1,2", new[] { "a|b", "1|2" })]
    [InlineData("a\r\n\r\nb\r\n", new[] { "a", "b" })]
    [InlineData("\"x,y\",\"say \"\"hi\"\"\"\n", new[] { "x,y|say \"hi\"" })]
    [InlineData("\"multi\r\nline\",z\n", new[] { "multi\r\nline|z" })]
    [InlineData("a,,\n", new[] { "a||" })]
    [InlineData("\"\",b\n", new[] { "|b" })]
    public async Task ReadRecordAsync_ValidText_Records(string text, string[] expected)
    {
        var reader = new CsvReader(new StringReader(text));
        var records = new List<string>();
        while (await reader.ReadRecordAsync(CancellationToken.None) is { } record)
        {
            records.Add(string.Join('|', record));
        }

        records.Should().Equal(expected);
    }

    [Theory]
    [InlineData("a\n\"open\n", 2, "not closed")]
    [InlineData("a\n\"x\"y\n", 2, "after its closing quote")]
    [InlineData("a\nx\"y\n", 2, "quote inside an unquoted value")]
    [InlineData("a\nx,y\n", 2, "it has 2 fields, but the header row has 1")]
    public async Task ReadRecordAsync_Malformed_ThrowsWithLine(string text, long line, string why)
    {
        var reader = new CsvReader(new StringReader(text));
        await reader.ReadRecordAsync(CancellationToken.None);

        var act = async () => await reader.ReadRecordAsync(CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CsvFormatException>()).Which;
        error.Line.Should().Be(line);
        error.Message.Should().Contain(why);
    }

    [Fact]
    public async Task ReadRecordAsync_TabDelimiter_SplitsOnTabs()
    {
        var reader = new CsvReader(new StringReader("a\tb,c\n"), '\t');

        (await reader.ReadRecordAsync(CancellationToken.None)).Should().Equal("a", "b,c");
    }

    [Fact]
    public async Task WriteRecordAsync_SpecialFields_QuotedOnlyWhereNeeded()
    {
        var text = new StringWriter();
        var writer = new CsvWriter(text);

        await writer.WriteRecordAsync(["plain", "a,b", "say \"hi\"", null, " pad", "two\nlines"], CancellationToken.None);

        text.ToString().Should().Be("plain,\"a,b\",\"say \"\"hi\"\"\",,\" pad\",\"two\nlines\"\r\n");
    }

    [Fact]
    public async Task ReadRecordAsync_MalformedAfterMultilineField_RowAndLineDiffer()
    {
        var reader = new CsvReader(new StringReader("a\n\"x\ny\"\n\"bad\"z\n"));
        await reader.ReadRecordAsync(CancellationToken.None);
        await reader.ReadRecordAsync(CancellationToken.None);

        var act = async () => await reader.ReadRecordAsync(CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CsvFormatException>()).Which;
        error.Row.Should().Be(3);
        error.Line.Should().Be(4);
    }

    [Fact]
    public void Describe_Malformed_NamesRecordLineAndSource()
    {
        new CsvFormatException(3, 4, "it has 2 fields, but the header row has 1").Describe("'in.csv'")
            .Should().Be("Record 3 (line 4) of 'in.csv', counting the header as record 1, is malformed: it has 2 fields, but the header row has 1.");
    }
}
