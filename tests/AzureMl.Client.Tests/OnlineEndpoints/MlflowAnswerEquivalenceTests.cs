using System.Text;
using System.Text.Json;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Client.Tests.RequestResponse;

namespace AzureMl.Client.Tests.OnlineEndpoints;

/// <summary>
/// Once a client knows a deployment's columns, an answer of records with exactly those members in order, every value
/// plain, is read by a fast grammar; anything else goes to <see cref="Utf8JsonReader"/>. Thousands of generated answers,
/// valid and broken (escapes, nested values, missing, extra, reordered or escaped members, bad numbers and literals,
/// whitespace, truncation, stray bytes, invalid UTF-8), must read to exactly the same columns and cells, or fail with
/// the same exception and message, whether the columns are known (the scan first, or the reader's one pass alone) or
/// not (the reader's two passes).
/// </summary>
public sealed class MlflowAnswerEquivalenceTests
{
    private static readonly string[] Pool = ["label", "p", "score", "Col2_HashingFeature.0", "é", "a b", "prediction", "x"];

    [Fact]
    public void Read_GeneratedRecords_KnownColumnsAndFreshReadAgree()
    {
        var random = new Random(20261202);
        var differences = new List<string>();
        var (read, failed, plain) = (0, 0, 0);
        for (var i = 0; i < 6000; i++)
        {
            var columns = Pool.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).ToArray();
            var first = Encoding.UTF8.GetBytes("[{" + string.Join(",", columns.Select(c => $"\"{c}\":1")) + "}]");
            MlflowPayload.Read(first, OnlineEndpointOptions.DefaultSingleColumnName, null, out var known);

            var (body, isPlain) = Body(random, columns);
            var fast = Outcome(body, known, scanRecords: true);
            var reader = Outcome(body, known, scanRecords: false);
            var fresh = Outcome(body, null, scanRecords: true);
            if ((fast != fresh || reader != fresh) && differences.Count < 10)
            {
                differences.Add($"body {i}: {GeneratedJson.Show(body)}{Environment.NewLine}  known columns: {fast}{Environment.NewLine}  reader only:   {reader}{Environment.NewLine}  fresh read:    {fresh}");
            }

            plain += isPlain ? 1 : 0;
            if (fresh.StartsWith("cells", StringComparison.Ordinal))
            {
                read++;
            }
            else
            {
                failed++;
            }
        }

        string.Join(Environment.NewLine, differences).Should().BeEmpty();

        // Answers the fast grammar reads itself, answers it hands over and answers that fail must all be common.
        plain.Should().BeGreaterThan(1200);
        read.Should().BeGreaterThan(2500);
        failed.Should().BeGreaterThan(1200);
    }

    /// <summary>The columns and cells read (raw UTF-8, null apart), or the failure's type and message.</summary>
    private static string Outcome(byte[] body, AnswerColumns? known, bool scanRecords)
    {
        try
        {
            var output = MlflowPayload.Read(body, OnlineEndpointOptions.DefaultSingleColumnName, known, out _, scanRecords);
            var text = new StringBuilder($"cells {string.Join("|", output.ColumnNames!)} {output.RowCount}x{output.ColumnCount}:");
            for (var r = 0; r < output.RowCount; r++)
            {
                for (var c = 0; c < output.ColumnCount; c++)
                {
                    var cell = output.Cell(r, c, out var isNull);
                    text.Append(isNull ? " <null>" : " " + Convert.ToHexString(cell));
                }
            }

            return text.ToString();
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return $"failed: {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>An answer of records over <paramref name="columns"/>; plain when every record has them in order with plain values, unbroken.</summary>
    private static (byte[] Body, bool Plain) Body(Random random, string[] columns)
    {
        var kinds = random.Next(5) switch { < 3 => GeneratedJson.PlainKinds, < 4 => GeneratedJson.ValidKinds, _ => GeneratedJson.AllKinds };
        var rows = random.Next(0, 6);
        var plain = kinds == GeneratedJson.PlainKinds && rows > 0;
        var json = new StringBuilder("[").Append(GeneratedJson.Space(random));
        for (var r = 0; r < rows; r++)
        {
            if (r > 0)
            {
                json.Append(GeneratedJson.Space(random)).Append(',').Append(GeneratedJson.Space(random));
            }

            var members = Members(random, columns);
            plain &= members.SequenceEqual(columns);
            json.Append('{').Append(GeneratedJson.Space(random));
            for (var m = 0; m < members.Length; m++)
            {
                if (m > 0)
                {
                    json.Append(GeneratedJson.Space(random)).Append(',').Append(GeneratedJson.Space(random));
                }

                json.Append('"').Append(members[m]).Append('"').Append(GeneratedJson.Space(random)).Append(':').Append(GeneratedJson.Space(random))
                    .Append(GeneratedJson.Cell(random, kinds));
            }

            json.Append(GeneratedJson.Space(random)).Append('}');
        }

        json.Append(GeneratedJson.Space(random)).Append(']').Append(GeneratedJson.Space(random));
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        if (random.Next(5) == 0)
        {
            return (GeneratedJson.Mutate(random, bytes), false);
        }

        return (bytes, plain);
    }

    /// <summary>The members of one record: usually the columns in order; else one dropped, added, swapped, repeated or escaped.</summary>
    private static string[] Members(Random random, string[] columns)
    {
        var members = columns.ToList();
        switch (random.Next(24))
        {
            case 0 when members.Count > 1:
                members.RemoveAt(random.Next(members.Count));
                break;
            case 1:
                members.Insert(random.Next(members.Count + 1), "extra");
                break;
            case 2 when members.Count > 1:
                var (a, b) = (random.Next(members.Count), random.Next(members.Count));
                (members[a], members[b]) = (members[b], members[a]);
                break;
            case 3:
                members.Insert(random.Next(members.Count + 1), members[random.Next(members.Count)]);
                break;
            case 4:
                // The same name written with an escape: equal as a name, not as bytes.
                var at = random.Next(members.Count);
                members[at] = $"\\u{(int)members[at][0]:x4}" + members[at][1..];
                break;
        }

        return [.. members];
    }
}
