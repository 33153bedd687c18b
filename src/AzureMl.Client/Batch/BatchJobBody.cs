using System.Text.Json.Serialization;

namespace AzureMl.Client.Batch;

/// <summary>The job body on the wire.</summary>
internal sealed class BatchJobBody
{
    [JsonPropertyName("Input")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BatchBlobReference? Input { get; set; }

    [JsonPropertyName("Inputs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, BatchBlobReference>? Inputs { get; set; }

    [JsonPropertyName("Outputs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, BatchBlobReference>? Outputs { get; set; }

    [JsonPropertyName("GlobalParameters")]
    public Dictionary<string, string> GlobalParameters { get; set; } = [];
}

/// <summary>The status body on the wire.</summary>
internal sealed class BatchJobStatusBody
{
    [JsonPropertyName("StatusCode")]
    [JsonRequired]
    public BatchJobState StatusCode { get; set; }

    [JsonPropertyName("Results")]
    public Dictionary<string, BatchBlobReference>? Results { get; set; }

    [JsonPropertyName("Details")]
    public string? Details { get; set; }
}
