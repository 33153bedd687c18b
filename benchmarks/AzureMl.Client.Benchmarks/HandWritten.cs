using System.Text.Json.Serialization;

namespace AzureMl.Client.Benchmarks;

// The contract a hand-written client would declare for POST …/execute (table form).
public sealed class HandWrittenRequest
{
    public Dictionary<string, HandWrittenTable> Inputs { get; set; } = [];

    public Dictionary<string, string> GlobalParameters { get; set; } = [];
}

public sealed class HandWrittenTable
{
    public string[] ColumnNames { get; set; } = [];

    public string[]? ColumnTypes { get; set; }

    public string?[][] Values { get; set; } = [];
}

public sealed class HandWrittenResponse
{
    public Dictionary<string, HandWrittenOutput> Results { get; set; } = [];
}

public sealed class HandWrittenOutput
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("value")]
    public HandWrittenTable Value { get; set; } = new();
}

[JsonSerializable(typeof(HandWrittenRequest))]
[JsonSerializable(typeof(HandWrittenResponse))]
public sealed partial class HandWrittenJsonContext : JsonSerializerContext;

/// <summary>Answers every request with the same bytes, without a network.</summary>
public sealed class CannedHandler(byte[] body) : HttpMessageHandler
{
    public byte[] Body { get; set; } = body;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(Body) });
}

/// <summary>A request body consumer: a real handler writes the body to the socket, so the benchmark must too.</summary>
public sealed class DrainingCannedHandler(byte[] body) : DelegatingHandler(new CannedHandler(body))
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}

// The contract a hand-written client would declare for an MLflow online endpoint: POST …/score with a DataFrame in
// split orientation, answered with one object per row.
public sealed class HandWrittenMlflowRequest
{
    [JsonPropertyName("input_data")]
    public HandWrittenDataFrame InputData { get; set; } = new();
}

public sealed class HandWrittenDataFrame
{
    [JsonPropertyName("columns")]
    public string[] Columns { get; set; } = [];

    [JsonPropertyName("index")]
    public int[] Index { get; set; } = [];

    [JsonPropertyName("data")]
    public object?[][] Data { get; set; } = [];
}

public sealed class HandWrittenPrediction
{
    public int Col1 { get; set; }

    public string? Col2 { get; set; }

    [JsonPropertyName("Scored Labels")]
    public int ScoredLabels { get; set; }

    [JsonPropertyName("Scored Probabilities")]
    public double ScoredProbabilities { get; set; }
}

[JsonSerializable(typeof(HandWrittenMlflowRequest))]
[JsonSerializable(typeof(HandWrittenPrediction[]))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
public sealed partial class HandWrittenMlflowJsonContext : JsonSerializerContext;
