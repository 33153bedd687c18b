using System.Diagnostics;
using System.Diagnostics.Metrics;
using AzureMl.Client.Telemetry;

namespace AzureMl.WorkerService;

/// <summary>
/// Writes the client's spans and retry metric to the log: a stand-in for an OpenTelemetry exporter. With
/// OpenTelemetry, use <c>.WithTracing(t =&gt; t.AddSource(AzureMlDiagnostics.Name))</c> and
/// <c>.WithMetrics(m =&gt; m.AddMeter(AzureMlDiagnostics.Name))</c> instead.
/// </summary>
public sealed partial class TelemetryLogger(ILogger<TelemetryLogger> logger) : IHostedService, IDisposable
{
    private readonly ActivityListener _spans = new();
    private readonly MeterListener _metrics = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _spans.ShouldListenTo = source => source.Name == AzureMlDiagnostics.Name;
        _spans.Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData;
        _spans.ActivityStopped = span =>
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var statusCode = span.GetTagItem("http.response.status_code")?.ToString() ?? "-";
                var retries = span.GetTagItem("azureml.retry.count")?.ToString() ?? "0";
                LogSpan(span.DisplayName, span.Duration.TotalMilliseconds, span.Status, statusCode, retries);
            }
        };
        ActivitySource.AddActivityListener(_spans);

        _metrics.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AzureMlDiagnostics.Name && instrument.Name == "azureml.client.request.retries")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _metrics.SetMeasurementEventCallback<long>((instrument, value, _, _) => LogRetry(instrument.Name, value));
        _metrics.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _spans.Dispose();
        _metrics.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "span '{Name}' {DurationMs:0} ms, status {Status}, HTTP {StatusCode}, retries {Retries}")]
    private partial void LogSpan(string name, double durationMs, ActivityStatusCode status, string statusCode, string retries);

    [LoggerMessage(Level = LogLevel.Information, Message = "metric {Instrument} +{Value}")]
    private partial void LogRetry(string instrument, long value);
}
