using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AzureMl.Client.Telemetry;

/// <summary>
/// The client's spans and metrics (OpenTelemetry names). Feature code reports through the hooks here:
/// <see cref="RowsScored"/> after a scoring call, <see cref="JobCompleted"/> when a batch job reaches a final state.
/// </summary>
internal static class AzureMlTelemetry
{
    public const string OperationTag = "azureml.operation";
    public const string ServiceIdTag = "azureml.service.id";
    public const string JobIdTag = "azureml.job.id";
    public const string JobStateTag = "azureml.job.state";
    public const string StatusCodeTag = "http.response.status_code";
    public const string ErrorTypeTag = "error.type";
    public const string ErrorCodeTag = "azureml.error.code";
    public const string RetryCountTag = "azureml.retry.count";
    public const string OutcomeUnknownTag = "azureml.outcome_unknown";

    /// <summary>Tags a client adds to one call's span and metrics (an online endpoint's name and deployment).</summary>
    public static readonly HttpRequestOptionsKey<KeyValuePair<string, object?>[]> ExtraTags = new("AzureMl.TelemetryTags");

    private static readonly string? Version = typeof(AzureMlTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(AzureMlDiagnostics.Name, Version);

    public static readonly Meter Meter = new(AzureMlDiagnostics.Name, Version);

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        AzureMlDiagnostics.RequestDurationMetric, "s", "Duration of AzureMl operations until the answer is read, retries and waits included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        AzureMlDiagnostics.RetriesMetric, "{retry}", "Attempts sent again by the resilience pipeline.");

    public static readonly Counter<long> Rows = Meter.CreateCounter<long>(
        AzureMlDiagnostics.RowsScoredMetric, "{row}", "Rows scored by request-response calls.");

    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>(
        AzureMlDiagnostics.JobDurationMetric, "s", "Duration of batch jobs from submission to a final state.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400] });

    /// <summary>Per-operation state the pipeline updates (retries) and the client reads for its span and log.</summary>
    public static readonly HttpRequestOptionsKey<OperationState> State = new("AzureMl.OperationState");

    /// <summary>Records rows scored by one request-response call on <paramref name="serviceId"/>.</summary>
    public static void RowsScored(int rows, string? serviceId = null)
    {
        if (rows <= 0)
        {
            return;
        }

        Rows.Add(rows, new KeyValuePair<string, object?>(ServiceIdTag, serviceId));
        Activity.Current?.SetTag("azureml.rows", rows);
    }

    /// <summary>Records a batch job that reached the final <paramref name="state"/> (e.g. <c>Finished</c>, <c>Failed</c>, <c>Cancelled</c>).</summary>
    public static void JobCompleted(TimeSpan duration, string state, string? serviceId = null)
    {
        JobDuration.Record(
            Math.Max(0, duration.TotalSeconds),
            new KeyValuePair<string, object?>(JobStateTag, state),
            new KeyValuePair<string, object?>(ServiceIdTag, serviceId));
    }

    public static void RetryAttempted(string operation, string outcome, string? serviceId) =>
        Retries.Add(
            1,
            new KeyValuePair<string, object?>(OperationTag, operation),
            new KeyValuePair<string, object?>(ServiceIdTag, serviceId),
            new KeyValuePair<string, object?>(ErrorTypeTag, outcome));

    public static string OperationName(AzureMlOperation operation) => AzureMlDiagnostics.OperationName(operation);

    public static Activity? StartOperation(AzureMlOperation operation, string serviceId, string? jobId, KeyValuePair<string, object?>[]? extraTags = null)
    {
        var name = OperationName(operation);
        var activity = Source.StartActivity(AzureMlDiagnostics.SpanName(operation), ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(OperationTag, name);
            activity.SetTag(ServiceIdTag, serviceId);
            if (jobId is not null)
            {
                activity.SetTag(JobIdTag, jobId);
            }

            foreach (var (key, value) in extraTags ?? [])
            {
                activity.SetTag(key, value);
            }
        }

        return activity;
    }

    /// <summary>Closes the span and records the duration of one operation.</summary>
    public static void OperationEnded(Activity? activity, AzureMlOperation operation, string serviceId, int status, string? errorType, string? errorCode, int retries, TimeSpan elapsed, bool outcomeUnknown, KeyValuePair<string, object?>[]? extraTags = null)
    {
        var name = OperationName(operation);
        TagList tags = default;
        tags.Add(OperationTag, name);
        tags.Add(ServiceIdTag, serviceId);
        foreach (var tag in extraTags ?? [])
        {
            tags.Add(tag);
        }

        if (status != 0)
        {
            tags.Add(StatusCodeTag, status);
        }

        if (errorType is not null)
        {
            tags.Add(ErrorTypeTag, errorType);
        }

        RequestDuration.Record(elapsed.TotalSeconds, tags);

        if (activity is null)
        {
            return;
        }

        if (status != 0)
        {
            activity.SetTag(StatusCodeTag, status);
        }

        activity.SetTag(RetryCountTag, retries);
        if (errorType is not null)
        {
            activity.SetTag(ErrorTypeTag, errorType);
            if (errorCode is not null)
            {
                activity.SetTag(ErrorCodeTag, errorCode);
            }

            if (outcomeUnknown)
            {
                activity.SetTag(OutcomeUnknownTag, true);
            }

            activity.SetStatus(ActivityStatusCode.Error, errorCode ?? errorType);
        }
        else
        {
            activity.SetStatus(ActivityStatusCode.Ok);
        }
    }
}

/// <summary>What one operation's attempts share: the service it targets and how many retries it took.</summary>
internal sealed class OperationState(string serviceId)
{
    private int _retries;

    public string ServiceId { get; } = serviceId;

    public int Retries => Volatile.Read(ref _retries);

    public void AddRetry() => Interlocked.Increment(ref _retries);

    /// <summary>What the last failed attempt ended with ("Connection refused (…)", "answered 503"), for the final message.</summary>
    public string? LastFailure
    {
        get => Volatile.Read(ref _lastFailure);
        set => Volatile.Write(ref _lastFailure, value);
    }

    private string? _lastFailure;
    private int _attempts;
    private int _maybeSent;

    /// <summary>Whether the pipeline reported its attempts (<see cref="AttemptEnded"/>); without it nothing is known of them.</summary>
    public bool AttemptsTracked => Volatile.Read(ref _attempts) > 0;

    /// <summary>Whether any attempt may have reached the service: it got an answer, or ended other than provably unsent.</summary>
    public bool MaybeSent => Volatile.Read(ref _maybeSent) != 0;

    /// <summary>Called as each attempt ends, with whether it provably never left the client.</summary>
    public void AttemptEnded(bool provablyNotSent)
    {
        Interlocked.Increment(ref _attempts);
        if (!provablyNotSent)
        {
            Volatile.Write(ref _maybeSent, 1);
        }
    }
}
