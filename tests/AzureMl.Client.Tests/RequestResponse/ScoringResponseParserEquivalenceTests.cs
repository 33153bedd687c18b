using System.Text;
using System.Text.Json;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.RequestResponse;

/// <summary>
/// The parser scans plain <c>Values</c> rows by hand and leaves anything else to <see cref="Utf8JsonReader"/>. Thousands
/// of generated table answers, valid and broken (truncated, bad escapes, bad numbers and literals, deep nesting,
/// invalid UTF-8, stray bytes, ragged rows), must read to exactly the same cells, or fail with the same exception type
/// (and the same message for a shape error), whether the scan is on or every cell goes through the reader.
/// </summary>
public sealed class ScoringResponseParserEquivalenceTests
{
    private const int PlainKinds = GeneratedJson.PlainKinds;
    private const int ValidKinds = GeneratedJson.ValidKinds;
    private const int AllKinds = GeneratedJson.AllKinds;

    [Fact]
    public void ParseTable_GeneratedAnswers_ScannerAndReaderAgree()
    {
        var random = new Random(20261201);
        var differences = new List<string>();
        var (read, failed) = (0, 0);
        for (var i = 0; i < 6000; i++)
        {
            var body = Body(random);
            var scanned = Outcome(body, fastValues: true);
            var reader = Outcome(body, fastValues: false);
            if (scanned != reader && differences.Count < 10)
            {
                differences.Add($"body {i}: {GeneratedJson.Show(body)}{Environment.NewLine}  scanner: {scanned}{Environment.NewLine}  reader:  {reader}");
            }

            if (reader.StartsWith("cells", StringComparison.Ordinal))
            {
                read++;
            }
            else
            {
                failed++;
            }
        }

        string.Join(Environment.NewLine, differences).Should().BeEmpty();

        // Both kinds must be well represented, or the agreement proves little.
        read.Should().BeGreaterThan(1500);
        failed.Should().BeGreaterThan(1500);
    }

    /// <summary>The cells of every output (raw UTF-8, null apart), or the failure's type (and a shape error's message).</summary>
    private static string Outcome(byte[] body, bool fastValues)
    {
        try
        {
            var result = ScoringResponseParser.ParseTable(body, fastValues);
            var text = new StringBuilder("cells");
            foreach (var (name, output) in result.Outputs)
            {
                text.Append($" | {name} {output.RowCount}x{output.ColumnCount}:");
                for (var r = 0; r < output.RowCount; r++)
                {
                    for (var c = 0; c < output.ColumnCount; c++)
                    {
                        var cell = output.Cell(r, c, out var isNull);
                        text.Append(isNull ? " <null>" : " " + Convert.ToHexString(cell));
                    }
                }
            }

            return text.ToString();
        }
        catch (ScoringResponseFormatException ex)
        {
            return "shape: " + ex.Message;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // The reader reports where it stopped; after a scan it resumes on a slice, so only the type is compared.
            return "invalid: " + ex.GetType().Name;
        }
    }

    private static byte[] Body(Random random)
    {
        var json = new StringBuilder("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":null,"Values":""");
        // Plain cells only (what the scan reads itself), valid JSON the scan hands over, or broken cells.
        var kinds = random.Next(5) switch { < 2 => PlainKinds, < 3 => ValidKinds, _ => AllKinds };
        json.Append(Values(random, kinds));
        if (random.Next(3) == 0)
        {
            json.Append(GeneratedJson.Space(random)).Append(""","ColumnTypes":null""");
        }

        json.Append("}}");
        if (random.Next(3) == 0)
        {
            // A second table: the reader resumes after the first scan and the second is scanned again.
            json.Append(""","output2":{"value":{"Values":""").Append(Values(random, kinds)).Append("}}");
        }

        json.Append("}}");
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        return random.Next(4) == 0 ? GeneratedJson.Mutate(random, bytes) : bytes;
    }

    private static string Values(Random random, int kinds)
    {
        if (random.Next(40) == 0)
        {
            // Nested past the reader's depth limit, or just inside it.
            var depth = random.Next(55, 70);
            return new string('[', depth) + "\"x\"" + new string(']', depth);
        }

        var rows = random.Next(0, 7);
        var width = random.Next(0, 6);
        var text = new StringBuilder("[").Append(GeneratedJson.Space(random));
        for (var r = 0; r < rows; r++)
        {
            if (r > 0)
            {
                text.Append(GeneratedJson.Space(random)).Append(',').Append(GeneratedJson.Space(random));
            }

            var cells = random.Next(30) == 0 ? width + random.Next(-1, 2) : width;
            text.Append('[').Append(GeneratedJson.Space(random));
            for (var c = 0; c < cells; c++)
            {
                if (c > 0)
                {
                    text.Append(GeneratedJson.Space(random)).Append(',').Append(GeneratedJson.Space(random));
                }

                text.Append(GeneratedJson.Cell(random, kinds));
            }

            text.Append(GeneratedJson.Space(random)).Append(']');
        }

        return text.Append(GeneratedJson.Space(random)).Append(']').ToString();
    }
}
