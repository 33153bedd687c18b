using System.Text;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.RequestResponse;

public class ScoringResponseParserTests
{
    // Leaves non-ASCII text raw, so cells hold multi-byte UTF-8 as well as escapes.
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static ScoringResult Parse(string json) => ScoringResponseParser.ParseTable(Encoding.UTF8.GetBytes(json));

    private static string Fails(string json)
    {
        var act = () => Parse(json);
        return act.Should().Throw<ScoringResponseFormatException>().Which.Message;
    }

    [Fact]
    public void ParseTable_WithDetails_ReadsNamesTypesAndCells()
    {
        var result = Parse("""
            { "Results": { "output1": { "type": "table", "value": {
                "ColumnNames": ["Col2", "Score"], "ColumnTypes": ["String", "Double"],
                "Values": [["This is a good day", "0.9"], ["bad \"day\" \u00e9", null]] } } } }
            """);

        var output = result.DefaultOutput;
        output.Name.Should().Be("output1");
        output.Type.Should().Be("table");
        output.ColumnNames.Should().Equal("Col2", "Score");
        output.ColumnTypes.Should().Equal("String", "Double");
        output.RowCount.Should().Be(2);
        output[0].GetString("Col2").Should().Be("This is a good day");
        output[1].GetString(0).Should().Be("bad \"day\" é");
        output[1].IsNull(1).Should().BeTrue();
        output[0].GetDouble("Score").Should().Be(0.9);
    }

    [Fact]
    public void ParseTable_ValuesOnly_HasNoNamesOrTypes()
    {
        var output = Parse("""{"Results":{"output1":{"type":"table","value":{"Values":[["1","2","3"]]}}}}""").DefaultOutput;

        output.ColumnNames.Should().BeNull();
        output.ColumnTypes.Should().BeNull();
        output.ColumnCount.Should().Be(3);
        output[0].GetInt32(2).Should().Be(3);
    }

    [Fact]
    public void ParseTable_NumbersAndBooleansAsJsonLiterals_KeepRawText()
    {
        var output = Parse("""{"Results":{"output1":{"type":"DataTable","value":{"ColumnNames":["a","b","c"],"Values":[[14748.9994776615, true, -1e3]]}}}}""").DefaultOutput;

        output.Type.Should().Be("DataTable");
        output[0].GetString("a").Should().Be("14748.9994776615");
        output[0].GetBoolean("b").Should().BeTrue();
        output[0].GetString("c").Should().Be("-1e3");
        output[0].GetDouble("c").Should().Be(-1000);
    }

    [Fact]
    public void ParseTable_SeveralOutputsUnknownTypeAndExtraProperties_ReadsAll()
    {
        var result = Parse("""
            {"Other":1,"Results":{
               "output1":{"type":"something-new","value":{"ColumnNames":["x"],"Values":[["1"]]},"extra":[1,2]},
               "output2":{"value":{"ColumnNames":["y","z"],"ColumnTypes":["Int32","String"],"Values":[["2","a"],["3","b"]]}}},
             "Trailer":{"a":[]}}
            """);

        result.Outputs.Keys.Should().Equal("output1", "output2");
        result.GetOutput("output1").Type.Should().Be("something-new");
        result.GetOutput("output2").Type.Should().BeNull();
        result.GetOutput("output2")[1].GetString("z").Should().Be("b");
        var act = () => result.GetOutput("output3");
        act.Should().Throw<KeyNotFoundException>().WithMessage("*Outputs: output1, output2.");
    }

    [Fact]
    public void ParseTable_EmptyValues_HasZeroRows()
    {
        var output = Parse("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["a","b"],"ColumnTypes":["String","String"],"Values":[]}}}}""").DefaultOutput;

        output.RowCount.Should().Be(0);
        output.ColumnCount.Should().Be(2);
    }

    [Fact]
    public void ParseTable_LargeResponse_ReadsEveryCell()
    {
        var sb = new StringBuilder("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["a","b","c"],"Values":[""");
        for (var i = 0; i < 5000; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append($"[\"{i}\",\"{i * 0.5}\",null]");
        }

        sb.Append("]}}}}");
        var output = Parse(sb.ToString()).DefaultOutput;

        output.RowCount.Should().Be(5000);
        output[4999].GetInt32(0).Should().Be(4999);
        output[4999].GetDouble(1).Should().Be(2499.5);
        output[4999].IsNull(2).Should().BeTrue();
        output[0].GetString(1).Should().Be("0");
    }

    [Theory]
    [InlineData("", "the body was empty")]
    [InlineData("   ", "the body was empty")]
    [InlineData("<html><body>Bad gateway</body></html>", "the body is HTML or XML, not JSON*")]
    [InlineData("[1,2]", "the body is a JSON array, not an object with \"Results\"")]
    [InlineData("{}", "it has no \"Results\" object")]
    [InlineData("""{"Results":null}""", "\"Results\" is a JSON null, not an object of outputs")]
    [InlineData("""{"Results":{}}""", "\"Results\" has no outputs")]
    [InlineData("""{"Results":{"output1":"x"}}""", "Results.output1 is a JSON string, not an object with \"type\" and \"value\"")]
    [InlineData("""{"Results":{"output1":[{"a":"1"}]}}""", "Results.output1 is an array of rows (the swagger form)*ExecuteSwaggerAsync*")]
    [InlineData("""{"Results":{"output1":{"type":"table"}}}""", "Results.output1 has no \"value\" table")]
    [InlineData("""{"Results":{"output1":{"type":5,"value":{"Values":[]}}}}""", "Results.output1.type is a JSON number, not a string")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":[]}}}""", "Results.output1.value is a JSON array*")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["a"]}}}}""", "Results.output1.value has no \"Values\"")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":{}}}}}""", "Results.output1.value.Values is a JSON object, not an array of rows")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":["a"]}}}}""", "Results.output1.value.Values[0] is a JSON string, not an array of cells")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[["a"],["b","c"]]}}}}""", "Results.output1.value.Values[1] has 2 cells, but Values[0] has 1")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[[{"a":1}]]}}}}""", "Results.output1.value.Values[0][0] is a JSON object; cells must be*")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["a","b"],"Values":[["1"]]}}}}""", "Results.output1.value has 2 column names but its rows have 1 cells")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["a"],"ColumnTypes":["String","Int32"],"Values":[["1"]]}}}}""", "Results.output1.value has 2 column types but 1 columns")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":[1],"Values":[]}}}}""", "Results.output1.value.ColumnNames[0] is a JSON number, not a string")]
    [InlineData("""{"Results":{"o":{"value":{"Values":[]}},"o":{"value":{"Values":[]}}}}""", "output \"o\" appears twice in \"Results\"")]
    public void ParseTable_MalformedShape_SaysWhatIsWrong(string json, string expected)
    {
        Fails(json).Should().Match(expected);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[["a"]""")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[]}}}} trailing""")]
    public void ParseTable_InvalidJson_ThrowsJsonException(string json)
    {
        var act = () => Parse(json);

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Theory]
    [InlineData("// annotated\n{\"Results\":{\"output1\":{\"type\":\"table\",\"value\":{\"Values\":[[\"x\"]]}}}}")]
    [InlineData("""{"Results":{"output1":{"type":"table", /* the table */ "value":{"Values":[["x"]]}}}}""")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[["x"], /* second */ ["z"]]}}}}""")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[["x"]]}}}} // end""")]
    [InlineData("""{"Results":{"output1":/* c */[1]}}""")]
    public void ParseTable_CommentsInBody_ThrowJsonException(string json)
    {
        // The service writes plain JSON, where a comment is invalid.
        var act = () => Parse(json);

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Theory]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[["a/b"]]}}}} / trailing""")]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[["a"]]}}}} /* unterminated""")]
    public void ParseTable_InvalidJsonWithSlash_ThrowsJsonException(string json)
    {
        var act = () => Parse(json);

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Fact]
    public void ParseSwagger_CommentsInBody_ThrowJsonException()
    {
        var act = () => ScoringResponseParser.ParseSwagger(Encoding.UTF8.GetBytes("""
            {"Results":{"output1":[{"Col2":"good" /* label */,"Score":0.9}]}}
            """));

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Theory]
    [InlineData("""[["a", 1, -2.5e+3, true, false, null, ""]]""", "a|1|-2.5e+3|true|false|<null>|")]
    [InlineData(" [ [ \"a\" , 0 ] ,\n\t[ \"b\",\r\n-0.0E7 ] ] ", "a|0;b|-0.0E7")]
    [InlineData("""[["tab\tquote\" \u00e9", "plain"], ["x", "y"]]""", "tab\tquote\" é|plain;x|y")]
    [InlineData("""[[], []]""", ";")]
    [InlineData("""[]""", "")]
    [InlineData("""[["é ü 中"]]""", "é ü 中")]
    public void ParseTable_ValuesOfEveryKind_ReadTheSameAsTheReaderReadsThem(string values, string expected)
    {
        var output = Parse("""{"Results":{"output1":{"type":"table","value":{"Values":""" + values + ""","ColumnNames":null}},"output2":{"value":{"Values":[["z"]]}}}}""").DefaultOutput;

        var text = string.Join(";", output.Rows.Select(r => string.Join("|", Enumerable.Range(0, r.Count).Select(c => r.GetString(c) ?? "<null>"))));
        text.Should().Be(expected);
    }

    [Fact]
    public void ParseTable_StringCellsOfEveryLengthWithAnEscapeAnywhere_ReadTheSameAsTheReaderReadsThem()
    {
        // Short strings are scanned byte by byte and long ones with a vectorized search: put an escape, a quote and
        // a control character on both sides of that boundary and check every cell against the JSON reader.
        var cells = new List<string>();
        for (var length = 0; length <= 40; length++)
        {
            cells.Add(new string('x', length));
            for (var at = 0; at < length; at++)
            {
                var chars = new string('y', length).ToCharArray();
                chars[at] = "\"\\\n\t\u00e9\u0001"[at % 6];
                cells.Add(new string(chars));
            }
        }

        // One body per cell: a cell that is not plain sends its whole table to the reader.
        var read = cells.Select(cell =>
        {
            var json = """{"Results":{"output1":{"type":"table","value":{"Values":[["plain",""" + System.Text.Json.JsonSerializer.Serialize(cell, Relaxed) + ",1]]}}}}";
            var row = Parse(json).DefaultOutput.Rows.Single();
            return (row.GetString(0), row.GetString(1), row.GetString(2));
        });

        read.Should().Equal(cells.Select(cell => ((string?)"plain", (string?)cell, (string?)"1")));
    }

    [Theory]
    [InlineData("""[["a"],["b",]]""")]
    [InlineData("""[["a"],]""")]
    [InlineData("""[[01]]""")]
    [InlineData("""[[1.]]""")]
    [InlineData("""[[1e]]""")]
    [InlineData("""[[-]]""")]
    [InlineData("""[[tru]]""")]
    [InlineData("""[[truex]]""")]
    [InlineData("""[[nul]]""")]
    [InlineData("""[["a" "b"]]""")]
    [InlineData("""[["a"]["b"]]""")]
    [InlineData("[[\"a\u0001\"]]")]
    public void ParseTable_InvalidValues_ThrowsJsonException(string values)
    {
        var act = () => Parse("""{"Results":{"output1":{"type":"table","value":{"Values":""" + values + "}}}}");

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Fact]
    public void ParseTable_InvalidJsonAfterValues_ThrowsJsonException()
    {
        var act = () => Parse("""{"Results":{"output1":{"type":"table","value":{"Values":[["a"]],}}}}""");

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Fact]
    public void ParseSwagger_RowsAsObjects_ReadsValuesAndLiterals()
    {
        var result = ScoringResponseParser.ParseSwagger(Encoding.UTF8.GetBytes("""
            {"Results":{"output1":[{"Col2":"good","Score":0.9,"Flag":true,"Missing":null},{"Col2":"bad","Score":"0.1","Flag":false,"Missing":"x"}],
                        "output2":[]}}
            """));

        var rows = result.DefaultOutput;
        rows.Should().HaveCount(2);
        rows[0]["Col2"].Should().Be("good");
        rows[0]["Score"].Should().Be("0.9");
        rows[0]["Flag"].Should().Be("true");
        rows[0]["Missing"].Should().BeNull();
        rows[1]["Missing"].Should().Be("x");
        result.GetOutput("output2").Should().BeEmpty();
    }

    [Theory]
    [InlineData("""{"Results":{"output1":{"type":"table","value":{"Values":[]}}}}""", "Results.output1 is an object (the table form)*ExecuteAsync*")]
    [InlineData("""{"Results":{"output1":[1]}}""", "Results.output1[0] is a JSON number, not a row object")]
    [InlineData("""{"Results":{"output1":[{"a":[1]}]}}""", "Results.output1[0].a is a JSON array; values must be*")]
    [InlineData("""{"results":{}}""", "\"Results\" has no outputs")]
    public void ParseSwagger_MalformedShape_SaysWhatIsWrong(string json, string expected)
    {
        var act = () => ScoringResponseParser.ParseSwagger(Encoding.UTF8.GetBytes(json));

        act.Should().Throw<ScoringResponseFormatException>().Which.Message.Should().Match(expected);
    }
}

public class ScoringResponseParserAllocationTests
{
    [Fact]
    public void ParseTable_50000RowsBy9Columns_AllocatesLessThanTwiceTheBody()
    {
        var sb = new StringBuilder("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["c0","c1","c2","c3","c4","c5","c6","c7","c8"],"ColumnTypes":["String","Int32","Double","Double","String","Boolean","DateTime","Double","Int32"],"Values":[""");
        for (var i = 0; i < 50_000; i++)
        {
            sb.Append(i == 0 ? "[" : ",[")
                .Append($"\"name {i}\",\"{i}\",\"{i * 1.25}\",\"14748.9994776615\",\"cat\",\"True\",\"1/31/2015 1:02:03 PM\",\"0.{i}\",\"{i % 7}\"")
                .Append(']');
        }

        sb.Append("]}}}}");
        var body = Encoding.UTF8.GetBytes(sb.ToString());
        ScoringResponseParser.ParseTable(body); // warm up pools and code paths

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = ScoringResponseParser.ParseTable(body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        result.DefaultOutput.RowCount.Should().Be(50_000);
        result.DefaultOutput[49_999].GetInt32("c1").Should().Be(49_999);
        allocated.Should().BeLessThan(body.Length * 2L, $"the body is {body.Length} bytes");
    }
}
