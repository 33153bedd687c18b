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
    private static readonly string[] ValidNumbers = ["0", "-0", "7", "-12", "1234567890123456789012", "0.5", "-0.0", "14748.9994776615", "1e3", "1E+3", "-2.5e-10", "0e0", "1.0E7"];
    private static readonly string[] InvalidNumbers = ["01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1.e2", "0x1F", "Infinity", "NaN", "-.5", "1..2", "1-2", "00"];
    private static readonly string[] InvalidLiterals = ["tru", "truex", "True", "nul", "nulll", "NULL", "fals", "falsey", "undefined", "'a'"];
    private static readonly string[] Escapes = ["\\\"", "\\\\", "\\/", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u00e9", "\\u0000", "\\ud83d\\ude00"];
    private static readonly string[] BadEscapes = ["\\x", "\\u12", "\\u12G4", "\\U0041", "\\", "\\a", "\\ud800", "\\udc00\\ud800"];
    private const int PlainKinds = 66;
    private const int ValidKinds = 74;
    private const int AllKinds = 100;
    private const string Stray = "[]{},:\"\\-.e0 tfn";
    private static readonly string[] NonAscii = ["é", "ü ", "中文", "😀", "é ü 中 😀"];
    private static readonly string[] Spaces = [" ", "\t", "\n", "\r\n", "  "];
    private static readonly string[] BadSpaces = ["\f", "\v", "\u00a0"];

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
                differences.Add($"body {i}: {Show(body)}{Environment.NewLine}  scanner: {scanned}{Environment.NewLine}  reader:  {reader}");
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
            json.Append(Space(random)).Append(""","ColumnTypes":null""");
        }

        json.Append("}}");
        if (random.Next(3) == 0)
        {
            // A second table: the reader resumes after the first scan and the second is scanned again.
            json.Append(""","output2":{"value":{"Values":""").Append(Values(random, kinds)).Append("}}");
        }

        json.Append("}}");
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        return random.Next(4) == 0 ? Mutate(random, bytes) : bytes;
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
        var text = new StringBuilder("[").Append(Space(random));
        for (var r = 0; r < rows; r++)
        {
            if (r > 0)
            {
                text.Append(Space(random)).Append(',').Append(Space(random));
            }

            var cells = random.Next(30) == 0 ? width + random.Next(-1, 2) : width;
            text.Append('[').Append(Space(random));
            for (var c = 0; c < cells; c++)
            {
                if (c > 0)
                {
                    text.Append(Space(random)).Append(',').Append(Space(random));
                }

                text.Append(Cell(random, kinds));
            }

            text.Append(Space(random)).Append(']');
        }

        return text.Append(Space(random)).Append(']').ToString();
    }

    /// <summary>A cell of the first <paramref name="kinds"/> percent of the kinds below: plain, then valid, then broken.</summary>
    private static string Cell(Random random, int kinds) => random.Next(kinds) switch
    {
        < 40 => '"' + Plain(random) + '"',
        < 55 => ValidNumbers[random.Next(ValidNumbers.Length)],
        < 62 => random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" },
        < 66 => '"' + NonAscii[random.Next(NonAscii.Length)] + Plain(random) + '"',
        < 74 => '"' + Plain(random) + Escapes[random.Next(Escapes.Length)] + Plain(random) + '"',
        < 78 => '"' + Plain(random) + (char)random.Next(0, 0x20) + Plain(random) + '"',
        < 82 => InvalidNumbers[random.Next(InvalidNumbers.Length)],
        < 85 => InvalidLiterals[random.Next(InvalidLiterals.Length)],
        < 88 => '"' + Plain(random) + BadEscapes[random.Next(BadEscapes.Length)] + Plain(random) + '"',
        < 91 => random.Next(3) switch { 0 => "[1]", 1 => "{}", _ => """{"a":"b"}""" },
        < 93 => ValidNumbers[random.Next(ValidNumbers.Length)] + BadSpaces[random.Next(BadSpaces.Length)],
        < 95 => '"' + Plain(random),
        < 97 => ValidNumbers[random.Next(ValidNumbers.Length)] + InvalidLiterals[random.Next(InvalidLiterals.Length)],
        _ => random.Next(2) == 0 ? "\"a\" \"b\"" : string.Empty,
    };

    /// <summary>Plain text of 0 to 40 characters, around the length where the scan switches to a vectorized search.</summary>
    private static string Plain(Random random)
    {
        var length = random.Next(0, 41);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            var c = (char)random.Next(0x20, 0x7F);
            chars[i] = c is '"' or '\\' ? 'q' : c;
        }

        return new string(chars);
    }

    private static string Space(Random random) => random.Next(4) == 0 ? Spaces[random.Next(Spaces.Length)] : string.Empty;

    /// <summary>Breaks the body at a random place: cut short, a byte dropped, doubled or replaced, invalid UTF-8 put in.</summary>
    private static byte[] Mutate(Random random, byte[] body)
    {
        var at = random.Next(body.Length);
        return random.Next(6) switch
        {
            0 => body[..at],
            1 => [.. body[..at], .. body[(at + 1)..]],
            2 => [.. body[..at], body[at], .. body[at..]],
            3 => [.. body[..at], (byte)Stray[random.Next(Stray.Length)], .. body[(at + 1)..]],
            4 => [.. body[..at], .. InvalidUtf8(random), .. body[at..]],
            _ => InsideAString(random, body),
        };
    }

    /// <summary>Invalid UTF-8 right after a quote, so it lands inside a string cell more often than not.</summary>
    private static byte[] InsideAString(Random random, byte[] body)
    {
        var quotes = Enumerable.Range(0, body.Length).Where(i => body[i] == (byte)'"').ToList();
        var at = quotes[random.Next(quotes.Count)] + 1;
        return [.. body[..at], .. InvalidUtf8(random), .. body[at..]];
    }

    private static byte[] InvalidUtf8(Random random) => random.Next(5) switch
    {
        0 => [0xFF],
        1 => [0xC3],
        2 => [0xED, 0xA0, 0x80],
        3 => [0xC0, 0xAF],
        _ => [0xF4, 0x90, 0x80, 0x80],
    };

    private static string Show(byte[] body) => Encoding.UTF8.GetString(body).ReplaceLineEndings("⏎");
}
