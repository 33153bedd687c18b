namespace AzureMl.Client;

/// <summary>The answer to a swagger-form scoring call: rows as objects (column name to value), per output port.</summary>
public sealed class SwaggerScoringResult
{
    private readonly Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>> _outputs;
    private readonly IReadOnlyList<IReadOnlyDictionary<string, string?>>? _first;

    /// <summary>Creates a result; the client builds these, and tests of your own code can too.</summary>
    /// <param name="outputs">The rows per output name, in the order the service returned them.</param>
    public SwaggerScoringResult(IEnumerable<KeyValuePair<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>>> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        _outputs = new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>>(StringComparer.Ordinal);
        foreach (var (name, rows) in outputs)
        {
            ArgumentNullException.ThrowIfNull(rows, nameof(outputs));
            if (!_outputs.TryAdd(name, rows))
            {
                throw new ArgumentException($"Output '{name}' appears twice.", nameof(outputs));
            }

            _first ??= rows;
        }

        Outputs = _outputs.AsReadOnly();
    }

    /// <summary>The rows by output name (<c>output1</c>, <c>output2</c>, …).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>> Outputs { get; }

    /// <summary>The rows of <c>output1</c>, or else of the first output the service returned.</summary>
    /// <exception cref="InvalidOperationException">The result has no outputs.</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> DefaultOutput =>
        _outputs.TryGetValue("output1", out var output1) ? output1
        : _first ?? throw new InvalidOperationException("The scoring result has no outputs.");

    /// <summary>Returns the rows of the output named <paramref name="name"/>.</summary>
    /// <param name="name">The output name, e.g. <c>output2</c>.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="KeyNotFoundException">There is no such output; the message lists those there are.</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> GetOutput(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _outputs.TryGetValue(name, out var rows)
            ? rows
            : throw new KeyNotFoundException($"The scoring result has no output '{name}'. Outputs: {string.Join(", ", _outputs.Keys)}.");
    }
}
