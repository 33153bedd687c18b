using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AzureMl.Client.Tests;

/// <summary>A call a <see cref="FakeService"/> received, whatever the transport.</summary>
/// <param name="Method">The HTTP method, e.g. <c>POST</c>.</param>
/// <param name="Path">The path, without the query.</param>
/// <param name="Content">The body as sent.</param>
/// <param name="Head">The request line and headers as text, one per line (<c>Name: value</c>).</param>
public sealed record FakeCall(string Method, string Path, byte[] Content, string Head)
{
    private Table? _table;

    /// <summary>The 0-based position of the call among all the service received.</summary>
    public int Index { get; init; }

    /// <summary>When the call arrived, on the service's clock, counted from the service's start.</summary>
    public TimeSpan At { get; init; }

    /// <summary>Over a socket: the 1-based connection the call came on.</summary>
    public int Connection { get; init; }

    /// <summary>The <c>Content-Length</c> the client declared, if any.</summary>
    public long? ContentLength { get; init; }

    /// <summary>In memory: the operation the client stamped on the request.</summary>
    public AzureMlOperation? Operation { get; init; }

    /// <summary>The body as UTF-8 text.</summary>
    public string Body => Encoding.UTF8.GetString(Content);

    /// <summary>The size of the body in bytes.</summary>
    public int BodyBytes => Content.Length;

    /// <summary>The value of a header (the first one of that name), or <see langword="null"/>.</summary>
    public string? Header(string name) =>
        Head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && string.Equals(p[0].Trim(), name, StringComparison.OrdinalIgnoreCase))?[1].Trim();

    /// <summary>The column names of a classic execute body (<c>Inputs.input1</c>).</summary>
    public string[] Columns => Parse().Columns;

    /// <summary>The rows of a classic execute body, cells as strings.</summary>
    public string?[][] Rows => Parse().Rows;

    /// <summary>The global parameters of a classic execute body.</summary>
    public Dictionary<string, string?> GlobalParameters => Parse().Parameters;

    /// <summary>The first cell of the first row as a number (bulk tests number their rows).</summary>
    public int FirstValue => int.Parse(Rows[0][0]!, CultureInfo.InvariantCulture);

    private Table Parse()
    {
        if (_table is { } table)
        {
            return table;
        }

        using var doc = JsonDocument.Parse(Content);
        var input = doc.RootElement.GetProperty("Inputs").GetProperty("input1");
        var columns = input.GetProperty("ColumnNames").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var rows = input.GetProperty("Values").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? null : c.GetString()).ToArray())
            .ToArray();
        var parameters = doc.RootElement.TryGetProperty(nameof(GlobalParameters), out var given)
            ? given.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString())
            : [];
        return _table = new Table(columns, rows, parameters);
    }

    private sealed record Table(string[] Columns, string?[][] Rows, Dictionary<string, string?> Parameters);
}
