namespace AzureMl.Client.Batch;

/// <summary>
/// What a batch job reads, writes and is parameterised with. Give either <see cref="Input"/> (the older single-input
/// form) or <see cref="Inputs"/>, never both.
/// </summary>
public sealed class BatchJobRequest
{
    /// <summary>The single input (older services), sent as <c>Input</c>.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public BatchBlobReference? Input { get; set; }

    /// <summary>Input port name (e.g. <c>input1</c>) → input blob, sent as <c>Inputs</c>.</summary>
    /// <value>Default: empty (not sent).</value>
    public IDictionary<string, BatchBlobReference> Inputs { get; } = new Dictionary<string, BatchBlobReference>(StringComparer.Ordinal);

    /// <summary>Output port name (e.g. <c>output1</c>, case-sensitive) → where the service writes it. Outputs not named here go to the service's own storage.</summary>
    /// <value>Default: empty (not sent).</value>
    public IDictionary<string, BatchBlobReference> Outputs { get; } = new Dictionary<string, BatchBlobReference>(StringComparer.Ordinal);

    /// <summary>Web service parameters: name → value.</summary>
    /// <value>Default: empty (sent as <c>{}</c>).</value>
    public IDictionary<string, string> GlobalParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Checks the request and throws when it cannot be sent.</summary>
    /// <param name="paramName">The parameter name to report.</param>
    internal void ThrowIfInvalid(string paramName)
    {
        if (Input is not null && Inputs.Count > 0)
        {
            throw new ArgumentException("Give either Input or Inputs, not both: the service refuses a job with both (DuplicateInputInBatchCall). Put the single input into Inputs[\"input1\"].", paramName);
        }

        if (Input is null && Inputs.Count == 0)
        {
            throw new ArgumentException("The job has no input: set Inputs[\"input1\"] (or Input) to the blob to score.", paramName);
        }

        foreach (var (name, blob) in Inputs)
        {
            CheckEntry("Inputs", name, blob, paramName);
        }

        if (Input is not null)
        {
            CheckBlob("Input", Input, paramName);
        }

        foreach (var (name, blob) in Outputs)
        {
            CheckEntry("Outputs", name, blob, paramName);
        }

        foreach (var (name, value) in GlobalParameters)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("GlobalParameters has an empty parameter name.", paramName);
            }

            if (value is null)
            {
                throw new ArgumentException($"GlobalParameters[\"{name}\"] is null: give a value or remove the entry.", paramName);
            }
        }
    }

    internal BatchJobBody ToBody() => new()
    {
        Input = Input,
        Inputs = Inputs.Count > 0 ? new Dictionary<string, BatchBlobReference>(Inputs, StringComparer.Ordinal) : null,
        Outputs = Outputs.Count > 0 ? new Dictionary<string, BatchBlobReference>(Outputs, StringComparer.Ordinal) : null,
        GlobalParameters = new Dictionary<string, string>(GlobalParameters, StringComparer.Ordinal),
    };

    private static void CheckEntry(string map, string name, BatchBlobReference? blob, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{map} has an empty port name: use the port name the web service shows, e.g. input1 or output1.", paramName);
        }

        if (blob is null)
        {
            throw new ArgumentException($"{map}[\"{name}\"] is null: give a blob reference.", paramName);
        }

        CheckBlob($"{map}[\"{name}\"]", blob, paramName);
    }

    private static void CheckBlob(string what, BatchBlobReference blob, string paramName)
    {
        if (string.IsNullOrWhiteSpace(blob.RelativeLocation))
        {
            throw new ArgumentException($"{what} has no RelativeLocation: set it to container/blob.", paramName);
        }

        var hasKey = !string.IsNullOrWhiteSpace(blob.ConnectionString);
        var hasSas = !string.IsNullOrWhiteSpace(blob.BaseLocation) && !string.IsNullOrWhiteSpace(blob.SasBlobToken);
        if (!hasKey && !hasSas)
        {
            throw new ArgumentException($"{what} needs a ConnectionString, or a BaseLocation with a SasBlobToken, so the service can reach the blob.", paramName);
        }
    }
}
