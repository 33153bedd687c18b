using Microsoft.Extensions.Logging;

namespace AzureMl.Client.Telemetry;

/// <summary>The client's log messages: operation, service, status, attempts and timings only, never payloads, URLs or keys.</summary>
internal static partial class AzureMlLog
{
    [LoggerMessage(EventId = 1, EventName = "OperationSucceeded", Level = LogLevel.Information,
        Message = "AzureMl {Operation} on service {ServiceId} answered {Status} after {Attempts} attempt(s) in {DurationMs:0.#} ms")]
    public static partial void OperationSucceeded(ILogger logger, string operation, string serviceId, int status, int attempts, double durationMs);

    [LoggerMessage(EventId = 2, EventName = "OperationFailed", Level = LogLevel.Warning,
        Message = "AzureMl {Operation} on service {ServiceId} failed: status {Status}, error {ErrorType}, after {Attempts} attempt(s) in {DurationMs:0.#} ms; outcome unknown: {OutcomeUnknown}")]
    public static partial void OperationFailed(ILogger logger, string operation, string serviceId, int status, string errorType, int attempts, double durationMs, bool outcomeUnknown);

    [LoggerMessage(EventId = 3, EventName = "RetryScheduled", Level = LogLevel.Information,
        Message = "AzureMl {Operation} attempt {Attempt} ended with {Outcome}; retrying in {DelayMs:0.#} ms")]
    public static partial void RetryScheduled(ILogger logger, string operation, int attempt, string outcome, double delayMs);

    [LoggerMessage(EventId = 4, EventName = "RetryAfterBeyondBudget", Level = LogLevel.Warning,
        Message = "AzureMl {Operation} answered {Status} asking to wait {RetryAfterSeconds:0.###} s, more than the {RemainingSeconds:0.###} s left of the time budget: not retried")]
    public static partial void RetryAfterBeyondBudget(ILogger logger, string operation, int status, double retryAfterSeconds, double remainingSeconds);

    [LoggerMessage(EventId = 5, EventName = "SubscriptionKeyFailover", Level = LogLevel.Warning,
        Message = "The API Management gateway rejected the subscription key for {Operation}; sending it once more with the other key")]
    public static partial void SubscriptionKeyFailover(ILogger logger, string operation);
}
