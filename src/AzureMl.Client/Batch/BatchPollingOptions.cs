using System.ComponentModel.DataAnnotations;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.Batch;

/// <summary>
/// How <see cref="BatchJobOperation.WaitForCompletionAsync(BatchPollingOptions?, CancellationToken)"/> polls: the first
/// delay grows by <see cref="BackoffFactor"/> after each poll up to <see cref="MaxDelay"/>; a <c>Retry-After</c> sent
/// with a status answer replaces the next delay. There is no overall time limit: stop waiting with the cancellation token.
/// </summary>
public sealed class BatchPollingOptions : IValidatableObject
{
    /// <summary>The delay after the first poll.</summary>
    /// <value>Default: 1 second. Must be positive.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between polls.</summary>
    /// <value>Default: 30 seconds. Must be at least <see cref="InitialDelay"/>.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The factor each delay is multiplied by.</summary>
    /// <value>Default: 1.5. Between 1 (fixed interval) and 10.</value>
    [Range(1d, 10d)]
    public double BackoffFactor { get; set; } = 1.5;

    /// <summary>Whether a <c>Retry-After</c> header on a status answer replaces the next delay.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool HonorRetryAfter { get; set; } = true;

    /// <summary>
    /// Whether a throttling answer (503 from the service, 429 from a gateway) to a status poll is waited out rather than
    /// thrown: the wait continues after the server's <c>Retry-After</c> or the next delay.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool ContinueOnThrottling { get; set; } = true;

    internal static BatchPollingOptions Default { get; } = new();

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(BatchPollingOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (InitialDelay <= TimeSpan.Zero)
        {
            yield return OptionsValidation.Problem($"{nameof(InitialDelay)} must be positive (it was {InitialDelay}).");
        }

        if (MaxDelay < InitialDelay)
        {
            yield return OptionsValidation.Problem($"{nameof(MaxDelay)} ({MaxDelay}) must be at least {nameof(InitialDelay)} ({InitialDelay}).");
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(BatchPollingOptions), paramName);

    internal TimeSpan Next(TimeSpan delay)
    {
        var next = TimeSpan.FromTicks((long)Math.Min(delay.Ticks * BackoffFactor, MaxDelay.Ticks));
        return next < InitialDelay ? InitialDelay : next;
    }
}

/// <summary>Checks <see cref="BatchPollingOptions"/>: its attributes and its cross-setting rules.</summary>
[OptionsValidator]
internal sealed partial class BatchPollingOptionsValidator : IValidateOptions<BatchPollingOptions>
{
    public static BatchPollingOptionsValidator Instance { get; } = new();
}
