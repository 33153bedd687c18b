namespace AzureMl.Client;

/// <summary>A snapshot of a bulk scoring run's progress.</summary>
/// <param name="rowsSent">Rows whose chunk has been sent at least once.</param>
/// <param name="rowsScored">Rows whose chunk came back scored.</param>
/// <param name="rowsFailed">Rows whose chunk failed.</param>
/// <param name="retries">Chunks sent again after throttling or a transient answer (408, 500, 502, 504).</param>
/// <param name="throttlingWaits">Waits caused by throttling (503 or 429).</param>
/// <param name="throttlingDelay">The sum of those waits.</param>
/// <param name="concurrency">The number of calls the run currently allows in flight.</param>
/// <param name="chunkSize">The rows per call the run is reading chunks with now.</param>
public readonly struct BulkScoringProgress(long rowsSent, long rowsScored, long rowsFailed, int retries, int throttlingWaits, TimeSpan throttlingDelay, int concurrency, int chunkSize)
    : IEquatable<BulkScoringProgress>
{
    /// <summary>Rows whose chunk has been sent at least once.</summary>
    public long RowsSent { get; } = rowsSent;

    /// <summary>Rows whose chunk came back scored.</summary>
    public long RowsScored { get; } = rowsScored;

    /// <summary>Rows whose chunk failed (reported with <see cref="BulkScoringOptions.ContinueOnChunkFailure"/>).</summary>
    public long RowsFailed { get; } = rowsFailed;

    /// <summary>Chunks sent again after throttling or a transient answer (408, 500, 502, 504).</summary>
    public int Retries { get; } = retries;

    /// <summary>Waits caused by throttling (503 or 429).</summary>
    public int ThrottlingWaits { get; } = throttlingWaits;

    /// <summary>The sum of the throttling waits.</summary>
    public TimeSpan ThrottlingDelay { get; } = throttlingDelay;

    /// <summary>The number of calls the run currently allows in flight (lowered by throttling, raised back by successes).</summary>
    public int Concurrency { get; } = concurrency;

    /// <summary>
    /// The rows per call the run is reading chunks with now: <see cref="BulkScoringOptions.ChunkSize"/>, or less while
    /// sizes adapt to <see cref="BulkScoringOptions.TargetCallDuration"/>.
    /// </summary>
    public int ChunkSize { get; } = chunkSize;

    /// <summary>Compares two snapshots field by field.</summary>
    /// <param name="left">A snapshot.</param>
    /// <param name="right">Another snapshot.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(BulkScoringProgress left, BulkScoringProgress right) => left.Equals(right);

    /// <summary>Compares two snapshots field by field.</summary>
    /// <param name="left">A snapshot.</param>
    /// <param name="right">Another snapshot.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(BulkScoringProgress left, BulkScoringProgress right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(BulkScoringProgress other) =>
        RowsSent == other.RowsSent && RowsScored == other.RowsScored && RowsFailed == other.RowsFailed && Retries == other.Retries
        && ThrottlingWaits == other.ThrottlingWaits && ThrottlingDelay == other.ThrottlingDelay && Concurrency == other.Concurrency && ChunkSize == other.ChunkSize;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BulkScoringProgress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RowsSent, RowsScored, RowsFailed, Retries, ThrottlingWaits, ThrottlingDelay, Concurrency, ChunkSize);

    /// <summary>Describes the snapshot.</summary>
    /// <returns>The counters.</returns>
    public override string ToString() =>
        $"Sent {RowsSent}, scored {RowsScored}, failed {RowsFailed}, retries {Retries}, throttling waits {ThrottlingWaits} ({ThrottlingDelay}), concurrency {Concurrency}, chunk size {ChunkSize}";
}
