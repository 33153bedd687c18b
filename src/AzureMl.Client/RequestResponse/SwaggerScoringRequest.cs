namespace AzureMl.Client;

/// <summary>
/// A request-response scoring call in swagger form (<c>format=swagger</c>): each input is a list of rows, each row an
/// object of column name to value. Do not change it while a call that uses it is running.
/// </summary>
public sealed class SwaggerScoringRequest
{
    /// <summary>Creates a request with no inputs yet.</summary>
    public SwaggerScoringRequest()
    {
    }

    /// <summary>Creates a request that sends <paramref name="rows"/> to <see cref="ScoringRequest.DefaultInputName"/>.</summary>
    /// <param name="rows">The rows, each a map of column name to value.</param>
    public SwaggerScoringRequest(IEnumerable<IReadOnlyDictionary<string, string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Inputs[ScoringRequest.DefaultInputName] = [.. rows];
    }

    /// <summary>The input rows by input-port name (<c>input1</c>, …). At least one input is required.</summary>
    public IDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>> Inputs { get; } =
        new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string?>>>(StringComparer.Ordinal);

    /// <summary>The web service parameters by name; sent as <c>{}</c> when empty.</summary>
    public IDictionary<string, string> GlobalParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
