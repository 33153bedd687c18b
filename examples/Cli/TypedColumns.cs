using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace AzureMl.Cli;

/// <summary>
/// <c>score --online --typed</c>: which columns go to the endpoint as JSON numbers or booleans instead of strings.
/// </summary>
/// <remarks>
/// A column is typed only when every non-empty cell of the whole file reads as one kind, so a column never mixes
/// numbers and strings (an MLflow signature refuses that), and a text column with one numeric-looking cell stays text.
/// Numbers follow the JSON grammar: no sign but <c>-</c>, no leading zeros, no thousands separators, so codes such as
/// <c>007</c> keep their text; an integer beyond 64 bits keeps its column text too.
/// </remarks>
internal static partial class TypedColumns
{
    public enum Kind : byte
    {
        Text,
        Number,
        Boolean,
    }

    /// <summary>Reads the file once and says on <paramref name="status"/> which columns go as numbers or booleans.</summary>
    public static async Task<Kind[]> InferAsync(CsvInput input, IAnsiConsole status, CancellationToken cancellationToken)
    {
        var count = input.Header.Length;
        var numbers = Enumerable.Repeat(true, count).ToArray();
        var booleans = Enumerable.Repeat(true, count).ToArray();
        var filled = new bool[count];
        await foreach (var (fields, _, _) in input.ReadRecordsAsync(cancellationToken))
        {
            for (var i = 0; i < count; i++)
            {
                var cell = fields[i];
                if (cell.Length == 0)
                {
                    continue;
                }

                filled[i] = true;
                numbers[i] = numbers[i] && TryNumber(cell, out _);
                booleans[i] = booleans[i] && TryBoolean(cell, out _);
            }
        }

        var kinds = new Kind[count];
        for (var i = 0; i < count; i++)
        {
            kinds[i] = !filled[i] ? Kind.Text : numbers[i] ? Kind.Number : booleans[i] ? Kind.Boolean : Kind.Text;
        }

        string Names(Kind kind) => string.Join(", ", input.Header.Where((_, i) => kinds[i] == kind));
        var described = new List<string>();
        if (kinds.Contains(Kind.Number))
        {
            described.Add($"{Names(Kind.Number)} as numbers");
        }

        if (kinds.Contains(Kind.Boolean))
        {
            described.Add($"{Names(Kind.Boolean)} as booleans");
        }

        if (described.Count == 0)
        {
            status.MarkupLine("[grey]--typed: no column holds only numbers or only true/false, so every cell goes as text.[/]");
        }
        else
        {
            status.MarkupLineInterpolated($"[grey]--typed: sending {string.Join("; ", described)} (empty cells as null); other columns as text.[/]");
        }
        return kinds;
    }

    /// <summary>The cells of one record, typed by column; the inference read the whole file, so every cell converts.</summary>
    public static object?[] Convert(string[] fields, Kind[] kinds)
    {
        var cells = new object?[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            var cell = fields[i];
            cells[i] = kinds[i] switch
            {
                Kind.Number when cell.Length == 0 => null,
                Kind.Number => TryNumber(cell, out var number) ? number : cell,
                Kind.Boolean when cell.Length == 0 => null,
                Kind.Boolean => TryBoolean(cell, out var flag) ? flag : cell,
                _ => cell,
            };
        }

        return cells;
    }

    private static bool TryNumber(string cell, out object? number)
    {
        number = null;
        if (!JsonNumber().IsMatch(cell))
        {
            return false;
        }

        if (cell.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            // Integers stay exact (pandas reads them as int64); one beyond 64 bits keeps its column text.
            if (long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                number = whole;
                return true;
            }

            return false;
        }

        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            number = real;
            return true;
        }

        return false;
    }

    private static bool TryBoolean(string cell, out bool flag)
    {
        flag = string.Equals(cell, "true", StringComparison.OrdinalIgnoreCase);
        return flag || string.Equals(cell, "false", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
