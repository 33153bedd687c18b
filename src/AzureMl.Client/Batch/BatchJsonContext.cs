using System.Text.Json.Serialization;

namespace AzureMl.Client.Batch;

/// <summary>Source-generated JSON metadata for the batch wire format (no reflection; AOT-safe).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(BatchJobBody))]
[JsonSerializable(typeof(BatchJobStatusBody))]
[JsonSerializable(typeof(string))]
internal sealed partial class BatchJsonContext : JsonSerializerContext
{
}
