namespace AzureMl.Client;

/// <summary>Per-call settings of table-form scoring.</summary>
public sealed class ScoringOptions
{
    /// <summary>
    /// Whether to ask for <c>details=true</c>, so that outputs carry column names and types. Without it the service
    /// returns the cells only, and columns can be read by index only.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Details { get; set; } = true;
}
