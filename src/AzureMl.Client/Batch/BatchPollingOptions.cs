namespace AzureMl.Client.Batch;

/// <summary>
/// How <see cref="BatchJobOperation.WaitForCompletionAsync(BatchPollingOptions?, CancellationToken)"/> polls: the first
/// delay grows by <see cref="BackoffFactor"/> after each poll up to <see cref="MaxDelay"/>; a <c>Retry-After</c> sent
/// with a status answer replaces the next delay. There is no overall time limit: stop waiting with the cancellation token.
/// </summary>
public sealed class BatchPollingOptions
{
    /// <summary>The delay after the first poll.</summary>
    /// <value>Default: 1 second. Must be positive.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between polls.</summary>
    /// <value>Default: 30 seconds. Must be at least <see cref="InitialDelay"/>.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The factor each delay is multiplied by.</summary>
    /// <value>Default: 1.5. Between 1 (fixed interval) and 10.</value>
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

    internal void ThrowIfInvalid(string paramName)
    {
        if (InitialDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(InitialDelay)} must be positive (it was {InitialDelay}).", paramName);
        }

        if (MaxDelay < InitialDelay)
        {
            throw new ArgumentException($"{nameof(MaxDelay)} ({MaxDelay}) must be at least {nameof(InitialDelay)} ({InitialDelay}).", paramName);
        }

        if (double.IsNaN(BackoffFactor) || BackoffFactor < 1 || BackoffFactor > 10)
        {
            throw new ArgumentException($"{nameof(BackoffFactor)} must be between 1 and 10 (it was {BackoffFactor}).", paramName);
        }
    }

    internal TimeSpan Next(TimeSpan delay)
    {
        var next = TimeSpan.FromTicks((long)Math.Min(delay.Ticks * BackoffFactor, MaxDelay.Ticks));
        return next < InitialDelay ? InitialDelay : next;
    }
}
