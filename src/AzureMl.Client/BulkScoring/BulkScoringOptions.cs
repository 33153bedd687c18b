using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using AzureMl.Client.Internal;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Client;

/// <summary>
/// Settings of a bulk scoring run, on the classic service (<see cref="AzureMlClientBulkExtensions"/>) or an online
/// endpoint (<see cref="OnlineEndpointBulkExtensions"/>).
/// </summary>
public sealed class BulkScoringOptions : IValidatableObject
{
    /// <summary>The most rows sent in one call.</summary>
    /// <value>Default: 500. Range 1 to 100,000.</value>
    [Range(1, 100_000)]
    public int ChunkSize { get; set; } = 500;

    /// <summary>The fewest rows a chunk is cut to when sizes adapt to <see cref="TargetCallDuration"/> (the last chunk may have fewer).</summary>
    /// <value>Default: 1. Range 1 to <see cref="ChunkSize"/>.</value>
    [Range(1, 100_000)]
    public int MinChunkSize { get; set; } = 1;

    /// <summary>
    /// How long one call should take. When set, rows per chunk follow the measured time per row, between
    /// <see cref="MinChunkSize"/> and <see cref="ChunkSize"/>: the run starts with small chunks, grows them (at most
    /// eightfold per answer) while calls end sooner, shrinks them at once when calls run long, and halves them after a
    /// 408 (the service's request timeout). <see langword="null"/> keeps every chunk at <see cref="ChunkSize"/> on the
    /// classic service, and sizes chunks for 1 second on an online endpoint, a fifth of its default 5-second request
    /// timeout (<c>request_timeout_ms</c>); set it to about a fifth of your deployment's timeout if you changed that.
    /// </summary>
    /// <value>Default: <see langword="null"/>. Range 10 milliseconds to 10 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan? TargetCallDuration { get; set; }

    /// <summary>
    /// The most request-body bytes of one call. With an <see cref="AzureMlClient"/> the count is exact (each chunk's
    /// body is written as its rows are read); other <see cref="IAzureMlClient"/> implementations get an upper bound
    /// that counts every character the JSON writer may escape as six bytes. A single row larger than this is sent alone.
    /// </summary>
    /// <value>Default: 4 MiB (4,194,304). Range 1 KiB to 256 MiB.</value>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The most calls in flight at once. The service runs 20 concurrent calls per endpoint by default (4 on the free
    /// tier) and answers 503 above that; the run halves its concurrency on throttling and grows it back on success.
    /// </summary>
    /// <value>Default: 16 (leaves room under the default limit of 20 for other callers). Range 1 to 200.</value>
    [Range(1, 200)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>
    /// Whether a failed chunk is reported in its <see cref="BulkScoringChunk{T}.Error"/> while the run goes on. When
    /// <see langword="false"/>, the first failed chunk stops the run with a <see cref="BulkScoringException"/>.
    /// </summary>
    /// <value>Default: <see langword="false"/> (fail the run).</value>
    public bool ContinueOnChunkFailure { get; set; }

    /// <summary>How many times one chunk is sent again after throttling (503 or 429) before it counts as failed.</summary>
    /// <value>Default: 10. Range 0 to 1,000.</value>
    [Range(0, 1000)]
    public int MaxThrottleRetries { get; set; } = 10;

    /// <summary>The first wait after throttling without a <c>Retry-After</c> header; it doubles on each retry of a chunk (±20% jitter).</summary>
    /// <value>Default: 1 second. Range 1 millisecond to <see cref="MaxThrottleDelay"/>.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan ThrottleBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest single wait after throttling; a longer <c>Retry-After</c> is cut to it.</summary>
    /// <value>Default: 60 seconds. Range up to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ParseLimitsInInvariantCulture = true, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan MaxThrottleDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many times one chunk is sent again after a transient answer (408, 500, 502 or 504) before it counts as
    /// failed. With an <see cref="AzureMlClient"/> the run owns these retries (its resilience pipeline does not retry
    /// bulk calls' answers); other <see cref="IAzureMlClient"/> implementations keep their own and get none from the run.
    /// </summary>
    /// <value>Default: 3 (as the resilience pipeline's default). Range 0 to 100.</value>
    [Range(0, 100)]
    public int MaxTransientRetries { get; set; } = 3;

    /// <summary>
    /// The first wait before a chunk is sent again after a transient answer; it doubles on each retry of a chunk
    /// (±20% jitter). Short, because <see cref="MaxConcurrency"/> already caps the load a retry adds, while later
    /// chunks wait behind it to be yielded in order.
    /// </summary>
    /// <value>Default: 10 milliseconds. Range 0 to <see cref="MaxThrottleDelay"/>.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ParseLimitsInInvariantCulture = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan TransientRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// For an online endpoint: the deployment to pin and the MLflow inference <c>params</c> sent with every chunk.
    /// Not for the classic service, which takes <see cref="GlobalParameters"/>.
    /// </summary>
    /// <value>Default: <see langword="null"/> (the endpoint's own traffic split, no <c>params</c>).</value>
    public OnlineScoringOptions? OnlineScoring { get; set; }

    /// <summary>The input port the rows are sent to (classic service).</summary>
    /// <value>Default: <c>input1</c>.</value>
    public string InputName { get; set; } = ScoringRequest.DefaultInputName;

    /// <summary>The output port whose rows are returned (classic service); <see langword="null"/> for <c>output1</c> or else the first one.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? OutputName { get; set; }

    /// <summary>The web service parameters sent with every chunk (classic service; an online endpoint takes <see cref="OnlineScoring"/>).</summary>
    /// <value>Default: empty.</value>
    public IDictionary<string, string> GlobalParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Receives a snapshot after each chunk is sent, scored, failed or throttled.</summary>
    /// <value>Default: <see langword="null"/> (no progress reports).</value>
    public IProgress<BulkScoringProgress>? Progress { get; set; }

    /// <summary>The clock for throttling and transient-retry waits; <see langword="null"/> uses the client's.</summary>
    /// <value>Default: <see langword="null"/> (the <see cref="AzureMlClient"/>'s clock, or <see cref="TimeProvider.System"/> for other implementations).</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(BulkScoringOptionsValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MinChunkSize > Math.Max(ChunkSize, 1))
        {
            yield return OptionsValidation.Problem($"{nameof(MinChunkSize)} is {MinChunkSize}: use 1 to {nameof(ChunkSize)} ({ChunkSize}).");
        }

        if (ThrottleBackoff > MaxThrottleDelay)
        {
            yield return OptionsValidation.Problem($"{nameof(ThrottleBackoff)} is {ThrottleBackoff}: use 1 millisecond to {nameof(MaxThrottleDelay)} ({MaxThrottleDelay}).");
        }

        if (TransientRetryBackoff > MaxThrottleDelay)
        {
            yield return OptionsValidation.Problem($"{nameof(TransientRetryBackoff)} is {TransientRetryBackoff}: use 0 to {nameof(MaxThrottleDelay)} ({MaxThrottleDelay}).");
        }

        var inputProblem = ScoringValidation.NameProblem(InputName);
        if (inputProblem is not null)
        {
            yield return OptionsValidation.Problem($"{nameof(InputName)} {inputProblem}");
        }

        if (OutputName is not null && OutputName.Length == 0)
        {
            yield return OptionsValidation.Problem($"{nameof(OutputName)} is empty: use null for the default output, or a name such as output2.");
        }
    }

    internal void ThrowIfInvalid(string paramName, bool online = false)
    {
        var errors = new List<string>(Validate());
        if (online)
        {
            if (InputName != ScoringRequest.DefaultInputName || OutputName is not null || GlobalParameters.Count > 0)
            {
                errors.Add($"{nameof(InputName)}, {nameof(OutputName)} and {nameof(GlobalParameters)} are for the classic service: an online endpoint takes one table, and its inference parameters go in {nameof(OnlineScoring)}.Parameters.");
            }
        }
        else if (OnlineScoring is not null)
        {
            errors.Add($"{nameof(OnlineScoring)} is for online endpoints: the classic service takes {nameof(GlobalParameters)}.");
        }

        OptionsValidation.ThrowIfInvalid(errors, nameof(BulkScoringOptions), paramName);
    }
}

/// <summary>Checks <see cref="BulkScoringOptions"/>: its attributes and its cross-setting rules.</summary>
[OptionsValidator]
internal sealed partial class BulkScoringOptionsValidator : IValidateOptions<BulkScoringOptions>
{
    public static BulkScoringOptionsValidator Instance { get; } = new();
}
