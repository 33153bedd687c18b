using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.Resilience;

/// <summary>
/// Settings of the resilience pipeline every AzureMl client gets by default: retries with exponential backoff and
/// jitter for operations that are safe to repeat, per-attempt and total timeouts, and a circuit breaker per service.
/// Bound from configuration with <c>ConfigureResilience(section)</c> and validated when the host starts.
/// </summary>
/// <remarks>
/// Execute, job status and job delete are retried on connection failures, 408, 429, 500, 502, 503 and 504,
/// honouring <c>Retry-After</c>. Job submit and start are never sent again once they may have reached the service;
/// only a connection refused before sending is retried. 401 and 403 are never retried. The execute calls of bulk
/// scoring (<c>ScoreBulkAsync</c>) are the exception: the bulk run retries their answers itself (429 and 503 through
/// its concurrency limiter, 408, 500, 502 and 504 after a short backoff; see <see cref="BulkScoringOptions"/>), so the
/// pipeline retries only their failures without an answer.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AzureMlResilienceOptions : IValidatableObject
{
    /// <summary>How many times a failed attempt is sent again. 0 turns retries off.</summary>
    /// <value>Default: 3. Range: 0 to 10.</value>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The delay before the first retry; it doubles with each retry and is jittered. A <c>Retry-After</c> from the server takes precedence.</summary>
    /// <value>Default: 2 seconds. Range: 1 millisecond to <see cref="MaxDelay"/>.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest backoff delay between retries. Does not cap a server's <c>Retry-After</c>; the time budget does.</summary>
    /// <value>Default: 30 seconds. Range: <see cref="BaseDelay"/> to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take, until the whole answer (or, for job submit and start, its headers) arrives.</summary>
    /// <value>Default: 100 seconds (the classic service's scoring limit). Range: 10 milliseconds to <see cref="TotalTimeout"/>.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The time budget of one operation, all attempts and waits included. A 429 or 503 whose <c>Retry-After</c>
    /// exceeds what is left fails at once, with the wait on <see cref="AzureMlException.RetryAfter"/>.
    /// </summary>
    /// <value>Default: 5 minutes. Range: <see cref="AttemptTimeout"/> to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether the circuit breaker runs. While open, calls fail at once without reaching the service.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool EnableCircuitBreaker { get; set; } = true;

    /// <summary>The share of failed attempts within <see cref="CircuitBreakerSamplingDuration"/> that opens the circuit.</summary>
    /// <value>Default: 0.5. Range: above 0 to 1.</value>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>How many attempts the sampling window must hold before the circuit may open.</summary>
    /// <value>Default: 20. Range: 2 or more.</value>
    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    /// <summary>The window over which failures are counted.</summary>
    /// <value>Default: 30 seconds. Range: 500 milliseconds to 1 day.</value>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one trial call is let through.</summary>
    /// <value>Default: 15 seconds. Range: 500 milliseconds to 1 day.</value>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether an online endpoint's 408 (the model ran past the endpoint's <c>request_timeout_ms</c>) is retried. The
    /// model may still be working on the request, so by default it is not.
    /// </summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool RetryOnlineTimeouts { get; set; }

    /// <summary>Set by <c>RemoveResilience()</c>: the default pipeline adds no strategy.</summary>
    internal bool Removed { get; set; }

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(AzureMlResilienceOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (BaseDelay > MaxDelay)
        {
            yield return OptionsValidation.Problem($"{nameof(BaseDelay)} must be between 00:00:00.0010000 and {nameof(MaxDelay)} ({MaxDelay}) (it is {BaseDelay}).");
        }

        if (AttemptTimeout > TotalTimeout)
        {
            yield return OptionsValidation.Problem($"{nameof(AttemptTimeout)} must be between 00:00:00.0100000 and {nameof(TotalTimeout)} ({TotalTimeout}) (it is {AttemptTimeout}).");
        }

        // The circuit breaker's settings matter only while it runs, so they are checked only then.
        if (!EnableCircuitBreaker)
        {
            yield break;
        }

        if (!(CircuitBreakerFailureRatio > 0 && CircuitBreakerFailureRatio <= 1))
        {
            yield return OptionsValidation.Problem($"{nameof(CircuitBreakerFailureRatio)} must be above 0 and at most 1 (it is {CircuitBreakerFailureRatio.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (CircuitBreakerMinimumThroughput < 2)
        {
            yield return OptionsValidation.Problem($"{nameof(CircuitBreakerMinimumThroughput)} must be 2 or more (it is {CircuitBreakerMinimumThroughput}).");
        }

        foreach (var (name, value) in new[] { (nameof(CircuitBreakerSamplingDuration), CircuitBreakerSamplingDuration), (nameof(CircuitBreakerBreakDuration), CircuitBreakerBreakDuration) })
        {
            if (value < TimeSpan.FromMilliseconds(500) || value > TimeSpan.FromDays(1))
            {
                yield return OptionsValidation.Problem($"{name} must be between {TimeSpan.FromMilliseconds(500)} and {TimeSpan.FromDays(1)} (it is {value}).");
            }
        }
    }

    /// <summary>Describes the settings.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() =>
        $"AzureMlResilienceOptions {{ MaxRetryAttempts = {MaxRetryAttempts}, BaseDelay = {BaseDelay}, MaxDelay = {MaxDelay}, AttemptTimeout = {AttemptTimeout}, TotalTimeout = {TotalTimeout}, EnableCircuitBreaker = {EnableCircuitBreaker} }}";
}

/// <summary>Checks <see cref="AzureMlResilienceOptions"/>: its attributes and its cross-setting rules.</summary>
[OptionsValidator]
internal sealed partial class AzureMlResilienceOptionsValidator : IValidateOptions<AzureMlResilienceOptions>
{
    public static AzureMlResilienceOptionsValidator Instance { get; } = new();
}
