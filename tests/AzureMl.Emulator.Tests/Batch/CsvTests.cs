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

    [Theory]
    [InlineData("h\na\"b\n", 2, 2, "field 1 has a quote inside an unquoted value")]
    [InlineData("h\n\"ab\"cd\n", 2, 2, "field 1 has text after its closing quote")]
    [InlineData("h,i\r\n1,2\r\nx,a\"b\r\n", 3, 3, "field 2 has a quote inside an unquoted value")]
    [InlineData("h,i\r\n\"1\r\n2\",3\r\n\"ab\"cd,4\r\n", 3, 4, "field 1 has text after its closing quote")]
    [InlineData("h\n\n\n\"open\n", 2, 4, "a quoted field is not closed before the end of the input")]
    public async Task ReadRecordAsync_QuoteOutsideRfc4180_ErrorNamesRecordAndLine(string text, long record, long line, string why)
    {
        var reader = new CsvReader(new StringReader(text));

        var act = async () =>
        {
            while (await reader.ReadRecordAsync(CancellationToken.None) is not null)
            {
            }
        };

        var error = (await act.Should().ThrowAsync<CsvFormatException>()).Which;
        (error.Row, error.Line).Should().Be((record, line));
        error.Message.Should().Be(why);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("\r")]
    public async Task ReadRecordAsync_AnyLineEnding_SameRecordsAndLines(string newline)
    {
        var reader = new CsvReader(new StringReader(string.Join(newline, "a,b", "\"x" + newline + "y\",z", "1,2") + newline));
        var records = new List<(string, long, long)>();
        while (await reader.ReadRecordAsync(CancellationToken.None) is { } record)
        {
            records.Add((string.Join('|', record), reader.RecordNumber, reader.RecordLine));
        }

        records.Should().Equal(("a|b", 1L, 1L), ("x" + newline + "y|z", 2L, 2L), ("1|2", 3L, 4L));
    }

    [Fact]
    public async Task WriteRecordAsync_ThenRead_RoundTripsEverySpecialField()
    {
        string[] fields = ["plain", "inner space", " leading", "trailing ", "a,b", "a\"b", "\"ab\"cd", "crlf\r\nline", "lf\nline", "", "\"", ",", "x\ty"];
        var text = new StringWriter();
        var writer = new CsvWriter(text);
        await writer.WriteRecordAsync(fields, CancellationToken.None);
        await writer.WriteRecordAsync(fields, CancellationToken.None);

        text.ToString().Should().StartWith("plain,inner space,\" leading\",\"trailing \",\"a,b\",\"a\"\"b\",\"\"\"ab\"\"cd\",\"crlf\r\nline\",\"lf\nline\",,\"\"\"\",\",\",x\ty\r\n");
        var reader = new CsvReader(new StringReader(text.ToString()));
        (await reader.ReadRecordAsync(CancellationToken.None)).Should().Equal(fields);
        (await reader.ReadRecordAsync(CancellationToken.None)).Should().Equal(fields);
        reader.RecordLine.Should().Be(4, "the first record spans three lines");
        (await reader.ReadRecordAsync(CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task WriteRecordAsync_OneColumnWithEmptyValues_EveryRecordReadBack()
    {
        var text = new StringWriter();
        var writer = new CsvWriter(text);
        foreach (var field in (string?[])["Col2", "", null, "x", ""])
        {
            await writer.WriteRecordAsync([field], CancellationToken.None);
        }

        var reader = new CsvReader(new StringReader(text.ToString()));
        var read = new List<string>();
        while (await reader.ReadRecordAsync(CancellationToken.None) is { } record)
        {
            read.Add(record.Single());
        }

        read.Should().Equal(new[] { "Col2", "", "", "x", "" }, "an empty value alone on its record is written as \"\", not as a blank line that holds no record");
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
    public async Task WriteRecordAsync_AnyWhiteSpaceAtAnEdge_Quoted_FormulaLikeTextAsIs()
    {
        var text = new StringWriter();
        var writer = new CsvWriter(text);

        await writer.WriteRecordAsync(["=1+1", "-5", "@x", "+y", "\u00A0nbsp-lead", "nbsp-trail\u00A0", "in\u00A0side"], CancellationToken.None);

        text.ToString().Should().Be("=1+1,-5,@x,+y,\"\u00A0nbsp-lead\",\"nbsp-trail\u00A0\",in\u00A0side\r\n");
    }

    [Fact]
    public async Task WriteRecordAsync_TabDelimiter_QuotesTabsNotCommas()
    {
        var text = new StringWriter();
        var writer = new CsvWriter(text, '\t');

        await writer.WriteRecordAsync(["a,b", "c\td", "e"], CancellationToken.None);

        text.ToString().Should().Be("a,b\t\"c\td\"\te\r\n");
    }

    [Fact]
    public async Task ReadRecordAsync_MalformedFarIntoALargeInput_EveryRecordBeforeItIsRead()
    {
        var text = new System.Text.StringBuilder("id,text\n");
        for (var i = 1; i <= 20_000; i++)
        {
            text.Append(i).Append(",\"row ").Append(i).Append("\"\n");
        }

        text.Append("x,a\"b\n").Append("y,fine\n");
        var reader = new CsvReader(new StringReader(text.ToString()));
        var read = 0;

        var act = async () =>
        {
            while (await reader.ReadRecordAsync(CancellationToken.None) is not null)
            {
                read++;
            }
        };

        var error = (await act.Should().ThrowAsync<CsvFormatException>()).Which;
        read.Should().Be(20_001, "the header and every good record come before the malformed one");
        (error.Row, error.Line, error.Message).Should().Be((20_002L, 20_002L, "field 2 has a quote inside an unquoted value"));
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
