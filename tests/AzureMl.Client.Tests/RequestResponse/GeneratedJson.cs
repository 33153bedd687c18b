using System.Text;

namespace AzureMl.Client.Tests.RequestResponse;

/// <summary>
/// Generated pieces of JSON answers for the parsers' equivalence tests: cells that are plain (what the fast grammar
/// reads itself), valid but not plain (handed to the reader), or broken, with whitespace and random damage.
/// </summary>
internal static class GeneratedJson
{
    public static readonly string[] ValidNumbers = ["0", "-0", "7", "-12", "1234567890123456789012", "0.5", "-0.0", "14748.9994776615", "1e3", "1E+3", "-2.5e-10", "0e0", "1.0E7"];
    public static readonly string[] InvalidNumbers = ["01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1.e2", "0x1F", "Infinity", "NaN", "-.5", "1..2", "1-2", "00"];
    public static readonly string[] InvalidLiterals = ["tru", "truex", "True", "nul", "nulll", "NULL", "fals", "falsey", "undefined", "'a'"];
    public static readonly string[] Escapes = ["\\\"", "\\\\", "\\/", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u00e9", "\\u0000", "\\ud83d\\ude00"];
    public static readonly string[] BadEscapes = ["\\x", "\\u12", "\\u12G4", "\\U0041", "\\", "\\a", "\\ud800", "\\udc00\\ud800"];
    public const int PlainKinds = 66;
    public const int ValidKinds = 74;
    public const int AllKinds = 100;
    public const string Stray = "[]{},:\"\\-.e0 tfn";
    public static readonly string[] NonAscii = ["é", "ü ", "中文", "😀", "é ü 中 😀"];
    public static readonly string[] Spaces = [" ", "\t", "\n", "\r\n", "  "];
    public static readonly string[] BadSpaces = ["\f", "\v", "\u00a0"];

    /// <summary>A cell of the first <paramref name="kinds"/> percent of the kinds below: plain, then valid, then broken.</summary>
    public static string Cell(Random random, int kinds) => random.Next(kinds) switch
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
    public static string Plain(Random random)
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

    public static string Space(Random random) => random.Next(4) == 0 ? Spaces[random.Next(Spaces.Length)] : string.Empty;

    /// <summary>Breaks the body at a random place: cut short, a byte dropped, doubled or replaced, invalid UTF-8 put in.</summary>
    public static byte[] Mutate(Random random, byte[] body)
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
    public static byte[] InsideAString(Random random, byte[] body)
    {
        var quotes = Enumerable.Range(0, body.Length).Where(i => body[i] == (byte)'"').ToList();
        var at = quotes.Count == 0 ? random.Next(body.Length + 1) : quotes[random.Next(quotes.Count)] + 1;
        return [.. body[..at], .. InvalidUtf8(random), .. body[at..]];
    }

    public static byte[] InvalidUtf8(Random random) => random.Next(5) switch
    {
        0 => [0xFF],
        1 => [0xC3],
        2 => [0xED, 0xA0, 0x80],
        3 => [0xC0, 0xAF],
        _ => [0xF4, 0x90, 0x80, 0x80],
    };

    public static string Show(byte[] body) => Encoding.UTF8.GetString(body).ReplaceLineEndings("⏎");
}
