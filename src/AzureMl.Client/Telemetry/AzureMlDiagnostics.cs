namespace AzureMl.Client.Telemetry;

/// <summary>
/// Names to subscribe to the client's telemetry: its <see cref="System.Diagnostics.ActivitySource"/>, its
/// <see cref="System.Diagnostics.Metrics.Meter"/> and its log category.
/// </summary>
public static class AzureMlDiagnostics
{
    /// <summary>The name of the client's <see cref="System.Diagnostics.ActivitySource"/> (one span per operation) and <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "AzureMl.Client";

    /// <summary>The <see cref="Microsoft.Extensions.Logging.ILogger"/> category of the client's log messages.</summary>
    public const string LogCategory = "AzureMl.Client";
}
