namespace AzureMl.Emulator;

/// <summary>The emulator's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "AzureML emulator listening on {BaseAddress}")]
    public static partial void Started(ILogger logger, Uri baseAddress);

    [LoggerMessage(2, LogLevel.Information, "Job {JobId} of service {ServiceId} is {State}")]
    public static partial void JobChanged(ILogger logger, string jobId, string serviceId, JobState state);

    [LoggerMessage(3, LogLevel.Warning, "Job {JobId} of service {ServiceId} failed: {Details}")]
    public static partial void JobFailed(ILogger logger, string jobId, string serviceId, string details);

    [LoggerMessage(4, LogLevel.Error, "Unhandled error serving {Method} {Route}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string route);

    [LoggerMessage(5, LogLevel.Debug, "The caller of {Method} {Route} went away before it was answered ({Reason}); nothing was sent")]
    public static partial void CallerWentAway(ILogger logger, string method, string route, string reason);

    [LoggerMessage(6, LogLevel.Information, "The body of {Method} {Route} could not be read ({Status}): {Reason}")]
    public static partial void BadRequestBody(ILogger logger, string method, string route, int status, string reason);

    [LoggerMessage(7, LogLevel.Information, "Job {JobId} of service {ServiceId} waits for a free slot: the service already runs {Limit} jobs, its limit")]
    public static partial void JobQueued(ILogger logger, string jobId, string serviceId, int limit);
}
