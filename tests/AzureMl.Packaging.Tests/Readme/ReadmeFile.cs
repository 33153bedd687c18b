using System.Text.RegularExpressions;

namespace AzureMl.Packaging.Tests.Readme;

/// <summary>README.md as the tests read it: fenced code blocks, each under the headings it sits in.</summary>
internal static partial class ReadmeFile
{
    public static string Text { get; } = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")).ReplaceLineEndings("\n");

    /// <summary>The fenced blocks of <paramref name="language"/> under the heading path, e.g. <c>"Batch jobs/Step by step"</c>.</summary>
    public static IReadOnlyList<string> Blocks(string headingPath, string language) =>
        All(language).Where(b => b.HeadingPath == headingPath).Select(b => b.Code).ToList();

    /// <summary>Every fenced block of <paramref name="language"/>, in order, with its heading path.</summary>
    public static IReadOnlyList<(string HeadingPath, string Code)> All(string language)
    {
        var blocks = new List<(string, string)>();
        var headings = new string[7];
        var lines = Text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (Heading().Match(lines[i]) is { Success: true } heading)
            {
                var level = heading.Groups[1].Length;
                headings[level] = heading.Groups[2].Value.Trim();
                Array.Clear(headings, level + 1, headings.Length - level - 1);
                continue;
            }

            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var lang = lines[i][3..].Trim();
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                body.Add(lines[i]);
            }

            var path = string.Join('/', headings.Skip(2).TakeWhile(h => h is not null));
            if (lang == language)
            {
                blocks.Add((path, string.Join('\n', body)));
            }
        }

        return blocks;
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex Heading();
}
