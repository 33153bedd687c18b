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

    /// <summary>Histogram (seconds): duration of one operation until its answer is read, retries and waits included.</summary>
    public const string RequestDurationMetric = "azureml.client.request.duration";

    /// <summary>Counter: attempts sent again by the resilience pipeline.</summary>
    public const string RetriesMetric = "azureml.client.request.retries";

    /// <summary>Counter: rows scored by request-response calls.</summary>
    public const string RowsScoredMetric = "azureml.client.rows_scored";

    /// <summary>Histogram (seconds): duration of batch jobs from submission to a final state.</summary>
    public const string JobDurationMetric = "azureml.client.job.duration";

    /// <summary>The span of a request-response call; span names are <c>azureml {operation name}</c>.</summary>
    public const string ExecuteSpan = "azureml execute";

    /// <summary>The span of a batch job submission.</summary>
    public const string SubmitJobSpan = "azureml submit_job";

    /// <summary>The span of a batch job start.</summary>
    public const string StartJobSpan = "azureml start_job";

    /// <summary>The span of a batch job status read.</summary>
    public const string GetJobStatusSpan = "azureml get_job_status";

    /// <summary>The span of a batch job delete or cancel.</summary>
    public const string DeleteJobSpan = "azureml delete_job";

    /// <summary>Span and metric tag of an online endpoint call: the endpoint (the scoring URI's host).</summary>
    public const string EndpointTag = "azureml.endpoint";

    /// <summary>Span and metric tag of an online endpoint call: the pinned deployment, when the call pins one.</summary>
    public const string DeploymentTag = "azureml.deployment";

    /// <summary>The span of an online endpoint scoring call.</summary>
    public const string ScoreSpan = "azureml score";

    /// <summary>
    /// The one name of <paramref name="operation"/> in logs, metrics (<c>azureml.operation</c> tag) and spans:
    /// <c>execute</c>, <c>submit_job</c>, <c>start_job</c>, <c>get_job_status</c>, <c>delete_job</c>, <c>score</c>.
    /// </summary>
    /// <param name="operation">The operation.</param>
    /// <returns>Its name in telemetry.</returns>
    public static string OperationName(AzureMlOperation operation) => operation switch
    {
        AzureMlOperation.Execute => "execute",
        AzureMlOperation.SubmitJob => "submit_job",
        AzureMlOperation.StartJob => "start_job",
        AzureMlOperation.GetJobStatus => "get_job_status",
        AzureMlOperation.DeleteJob => "delete_job",
        AzureMlOperation.Score => "score",
        _ => "unknown",
    };

    /// <summary>The span name of <paramref name="operation"/>, e.g. <see cref="ExecuteSpan"/>.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns><c>azureml {operation name}</c>.</returns>
    public static string SpanName(AzureMlOperation operation) => operation switch
    {
        AzureMlOperation.Execute => ExecuteSpan,
        AzureMlOperation.SubmitJob => SubmitJobSpan,
        AzureMlOperation.StartJob => StartJobSpan,
        AzureMlOperation.GetJobStatus => GetJobStatusSpan,
        AzureMlOperation.DeleteJob => DeleteJobSpan,
        AzureMlOperation.Score => ScoreSpan,
        _ => "azureml unknown",
    };
}
