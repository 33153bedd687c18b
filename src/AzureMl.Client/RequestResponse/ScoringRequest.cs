namespace AzureMl.Client;

/// <summary>
/// A request-response scoring call in table form: input tables by input-port name and the web service
/// parameters. Do not change it while a call that uses it is running.
/// </summary>
public sealed class ScoringRequest
{
    /// <summary>The input-port name a service has when it has one input: <c>input1</c>.</summary>
    public const string DefaultInputName = "input1";

    /// <summary>Creates a request with no inputs yet.</summary>
    public ScoringRequest()
    {
    }

    /// <summary>Creates a request that sends <paramref name="input"/> to <see cref="DefaultInputName"/>.</summary>
    /// <param name="input">The input table.</param>
    public ScoringRequest(ScoringTable input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Inputs[DefaultInputName] = input;
    }

    /// <summary>The input tables by input-port name (<c>input1</c>, <c>input2</c>, …). At least one is required.</summary>
    public IDictionary<string, ScoringTable> Inputs { get; } = new Dictionary<string, ScoringTable>(StringComparer.Ordinal);

    /// <summary>The web service parameters by name; sent as <c>{}</c> when empty.</summary>
    public IDictionary<string, string> GlobalParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
