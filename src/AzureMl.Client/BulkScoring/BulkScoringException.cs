namespace AzureMl.Client;

/// <summary>
/// A chunk of a bulk scoring run failed. <see cref="FirstRow"/> and <see cref="RowCount"/> give the input rows it
/// held; <see cref="Exception.InnerException"/> is the <see cref="AzureMlException"/> of the call.
/// </summary>
public sealed class BulkScoringException : Exception
{
    /// <summary>Creates an exception for a failed chunk.</summary>
    /// <param name="firstRow">The zero-based index of the chunk's first row.</param>
    /// <param name="rowCount">The number of rows in the chunk.</param>
    /// <param name="innerException">The failure of the call.</param>
    public BulkScoringException(long firstRow, int rowCount, AzureMlException innerException)
        : base(Describe(firstRow, rowCount, innerException), innerException)
    {
        FirstRow = firstRow;
        RowCount = rowCount;
    }

    /// <summary>Creates an exception with a message only.</summary>
    public BulkScoringException()
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public BulkScoringException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BulkScoringException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The zero-based index, in the whole input, of the failed chunk's first row.</summary>
    public long FirstRow { get; }

    /// <summary>The number of rows in the failed chunk.</summary>
    public int RowCount { get; }

    /// <summary>The call's failure, when it was one.</summary>
    public AzureMlException? ScoringError => InnerException as AzureMlException;

    private static string Describe(long firstRow, int rowCount, AzureMlException inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var hint = inner.IsThrottling
            ? " The service kept throttling after every retry: lower BulkScoringOptions.MaxConcurrency, or raise MaxThrottleRetries."
            : string.Empty;
        return $"Bulk scoring failed for rows {firstRow} to {firstRow + rowCount - 1} ({rowCount} rows): {inner.Message}{hint}";
    }
}
