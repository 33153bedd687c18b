namespace AzureMl.Client;

/// <summary>The answer to a table-form scoring call: one table per output port.</summary>
public sealed class ScoringResult
{
    private readonly Dictionary<string, ScoringOutput> _outputs;
    private readonly ScoringOutput? _first;

    /// <summary>Creates a result; the client builds these, and tests of your own code can too.</summary>
    /// <param name="outputs">The outputs, in the order the service returned them; names must be unique.</param>
    /// <exception cref="ArgumentException">Two outputs share a name.</exception>
    public ScoringResult(IEnumerable<ScoringOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        _outputs = new Dictionary<string, ScoringOutput>(StringComparer.Ordinal);
        foreach (var output in outputs)
        {
            ArgumentNullException.ThrowIfNull(output, nameof(outputs));
            if (!_outputs.TryAdd(output.Name, output))
            {
                throw new ArgumentException($"Output '{output.Name}' appears twice.", nameof(outputs));
            }

            _first ??= output;
        }

        Outputs = _outputs.AsReadOnly();
    }

    /// <summary>The outputs by name (<c>output1</c>, <c>output2</c>, …).</summary>
    public IReadOnlyDictionary<string, ScoringOutput> Outputs { get; }

    /// <summary>The output named <c>output1</c>, or else the first one the service returned.</summary>
    /// <exception cref="InvalidOperationException">The result has no outputs.</exception>
    public ScoringOutput DefaultOutput =>
        _outputs.TryGetValue("output1", out var output1) ? output1
        : _first ?? throw new InvalidOperationException("The scoring result has no outputs.");

    /// <summary>Returns the output named <paramref name="name"/>.</summary>
    /// <param name="name">The output name, e.g. <c>output2</c>.</param>
    /// <returns>The output table.</returns>
    /// <exception cref="KeyNotFoundException">There is no such output; the message lists those there are.</exception>
    public ScoringOutput GetOutput(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _outputs.TryGetValue(name, out var output)
            ? output
            : throw new KeyNotFoundException($"The scoring result has no output '{name}'. Outputs: {string.Join(", ", _outputs.Keys)}.");
    }

    /// <summary>Lists the outputs and their shapes.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"ScoringResult {{ {string.Join(", ", _outputs.Values)} }}";
}
