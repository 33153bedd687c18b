using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// One RRS call through <see cref="AzureMlClient"/> against a hand-written <see cref="HttpClient"/> +
/// System.Text.Json (source-generated) call of the same request, both answered in memory with the same canned body.
/// Both read every output cell as a string, so both end with the same data in hand.
/// </summary>
[Config(typeof(MicroConfig))]
public class PerCallOverheadBenchmarks
{
    private const int Rows = 10;
    private static readonly Uri ExecuteUri = new("http://scoring.test/workspaces/0123456789abcdef0123456789abcdef/services/fedcba9876543210fedcba9876543210/execute?api-version=2.0&details=true");
    private HttpClient _handWrittenHttp = null!;
    private HttpClient _clientHttp = null!;
    private AzureMlClient _client = null!;
    private HandWrittenRequest _handWrittenRequest = null!;
    private ScoringRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var response = CannedResponse(Rows);
        _handWrittenHttp = new HttpClient(new DrainingCannedHandler(response));
        _handWrittenHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "benchmark-key");
        _clientHttp = new HttpClient(new DrainingCannedHandler(response));
        _client = new AzureMlClient(_clientHttp, new AzureMlClientOptions
        {
            Endpoint = new Uri("http://scoring.test"),
            WorkspaceId = "0123456789abcdef0123456789abcdef",
            ServiceId = "fedcba9876543210fedcba9876543210",
            ApiKey = "benchmark-key",
        });

        var cells = Enumerable.Range(0, Rows).Select(i => new string?[] { i.ToString(CultureInfo.InvariantCulture), "This is a good day " + i, "0.5" }).ToArray();
        _handWrittenRequest = new HandWrittenRequest
        {
            Inputs = { ["input1"] = new HandWrittenTable { ColumnNames = ["Col1", "Col2", "Col3"], Values = cells } },
        };
        var table = new ScoringTable("Col1", "Col2", "Col3");
        foreach (var row in cells)
        {
            table.AddRow(row);
        }

        _request = new ScoringRequest(table);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _handWrittenHttp.Dispose();
        _clientHttp.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpClient + STJ (hand-written)")]
    public async Task<int> HandWritten()
    {
        using var content = JsonContent.Create(_handWrittenRequest, HandWrittenJsonContext.Default.HandWrittenRequest);
        using var response = await _handWrittenHttp.PostAsync(ExecuteUri, content).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync(HandWrittenJsonContext.Default.HandWrittenResponse).ConfigureAwait(false);
        var length = 0;
        foreach (var row in result!.Results["output1"].Value.Values)
        {
            foreach (var cell in row)
            {
                length += cell?.Length ?? 0;
            }
        }

        return length;
    }

    [Benchmark(Description = "AzureMlClient.ExecuteAsync")]
    public async Task<int> AzureMlClient()
    {
        var result = await _client.ExecuteAsync(_request).ConfigureAwait(false);
        var output = result.DefaultOutput;
        var length = 0;
        foreach (var row in output.Rows)
        {
            for (var c = 0; c < output.ColumnCount; c++)
            {
                length += row.GetString(c)?.Length ?? 0;
            }
        }

        return length;
    }

    internal static byte[] CannedResponse(int rows, int columns = 4)
    {
        var names = new[] { "Col1", "Col2", "Col3", "Scored Labels", "Scored Probabilities", "Col6", "Col7", "Col8", "Col9" };
        var types = new[] { "Int32", "String", "Double", "Int32", "Double", "String", "Double", "Int64", "Boolean" };
        var json = new StringBuilder(64 + (rows * columns * 16));
        json.Append("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":[""");
        json.AppendJoin(',', names.Take(columns).Select(n => '"' + n + '"'));
        json.Append("],\"ColumnTypes\":[");
        json.AppendJoin(',', types.Take(columns).Select(n => '"' + n + '"'));
        json.Append("],\"Values\":[");
        for (var r = 0; r < rows; r++)
        {
            json.Append(r == 0 ? "[" : ",[");
            for (var c = 0; c < columns; c++)
            {
                if (c > 0)
                {
                    json.Append(',');
                }

                json.Append('"').Append(types[c] switch
                {
                    "Int32" => (r % 1000).ToString(CultureInfo.InvariantCulture),
                    "Int64" => (r * 7919L).ToString(CultureInfo.InvariantCulture),
                    "Double" => (0.5 + (r * 1e-5)).ToString("R", CultureInfo.InvariantCulture),
                    "Boolean" => r % 2 == 0 ? "True" : "False",
                    _ => "This is a good day " + r,
                }).Append('"');
            }

            json.Append(']');
        }

        json.Append("]}}}}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
