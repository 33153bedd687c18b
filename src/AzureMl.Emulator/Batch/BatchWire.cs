using System.Text.Json;
using System.Text.Json.Serialization;

namespace AzureMl.Emulator;

/// <summary>A blob reference on the wire: account key access by connection string, or SAS access.</summary>
internal sealed class BlobReferenceBody
{
    public string? ConnectionString { get; set; }

    public string? RelativeLocation { get; set; }

    public string? BaseLocation { get; set; }

    public string? SasBlobToken { get; set; }
}

/// <summary>The body of a job submission.</summary>
internal sealed class JobRequestBody
{
    public Dictionary<string, BlobReferenceBody?>? Inputs { get; set; }

    public BlobReferenceBody? Input { get; set; }

    public Dictionary<string, BlobReferenceBody?>? Outputs { get; set; }

    public Dictionary<string, JsonElement>? GlobalParameters { get; set; }
}

/// <summary>The body of a job status answer.</summary>
internal sealed class JobStatusBody
{
    public required string StatusCode { get; init; }

    public Dictionary<string, BlobReferenceBody>? Results { get; init; }

    public string? Details { get; init; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(JobRequestBody))]
[JsonSerializable(typeof(JobStatusBody))]
[JsonSerializable(typeof(string))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
