namespace AzureMl.Client;

/// <summary>The service operation a request performs. Resilience, logging and telemetry key off it.</summary>
public enum AzureMlOperation
{
    /// <summary>Request-response scoring (<c>POST …/execute</c>). Safe to retry.</summary>
    Execute = 0,

    /// <summary>Batch job submission (<c>POST …/jobs</c>). Creates a job: never re-sent once it may have reached the service.</summary>
    SubmitJob = 1,

    /// <summary>Batch job start (<c>POST …/jobs/{id}/start</c>). A state transition: never re-sent once it may have reached the service.</summary>
    StartJob = 2,

    /// <summary>Batch job status (<c>GET …/jobs/{id}</c>). Safe to retry.</summary>
    GetJobStatus = 3,

    /// <summary>Batch job delete or cancel (<c>DELETE …/jobs/{id}</c>). Idempotent in intent; a repeat may answer 404.</summary>
    DeleteJob = 4,

    /// <summary>Online endpoint scoring (<c>POST …/score</c>). Safe to retry (scoring has no side effect).</summary>
    Score = 5,
}

/// <summary>Extension members for <see cref="AzureMlOperation"/>.</summary>
public static class AzureMlOperationExtensions
{
    /// <summary>
    /// Whether a request for <paramref name="operation"/> may be sent again after it may have reached the service.
    /// <see cref="AzureMlOperation.SubmitJob"/> and <see cref="AzureMlOperation.StartJob"/> are not.
    /// </summary>
    /// <param name="operation">The operation.</param>
    /// <returns><see langword="true"/> when re-sending cannot create a duplicate job or a double start.</returns>
    public static bool IsIdempotent(this AzureMlOperation operation) =>
        operation is AzureMlOperation.Execute or AzureMlOperation.GetJobStatus or AzureMlOperation.DeleteJob or AzureMlOperation.Score;
}
