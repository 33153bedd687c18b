namespace AzureMl.Client.OnlineEndpoints;

/// <summary>Per-call settings of an online scoring call.</summary>
public sealed class OnlineScoringOptions
{
    /// <summary>
    /// MLflow inference parameters, sent as <c>params</c> (e.g. <c>["temperature"] = 0.8</c>); numbers and booleans
    /// go as JSON numbers and booleans, other values as strings.
    /// </summary>
    public IDictionary<string, object?> Parameters { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Pins this call to a deployment, overriding <see cref="OnlineEndpointOptions.Deployment"/>.</summary>
    /// <value>Default: <see langword="null"/> (the client's setting).</value>
    public string? Deployment { get; set; }
}
