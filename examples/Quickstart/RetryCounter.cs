using System.Diagnostics.Metrics;
using AzureMl.Client.Telemetry;

namespace AzureMl.Quickstart;

/// <summary>
/// Counts the retries the client reports on its <c>azureml.client.request.retries</c> metric. Any
/// <see cref="MeterListener"/> (or OpenTelemetry's <c>AddMeter(AzureMlDiagnostics.Name)</c>) sees the same numbers.
/// </summary>
internal sealed class RetryCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public RetryCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AzureMlDiagnostics.Name && instrument.Name == "azureml.client.request.retries")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
