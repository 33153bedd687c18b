namespace AzureMl.Client;

/// <summary>
/// One batch of a bulk scoring run, yielded in input order: its row range and either its results or, with
/// <see cref="BulkScoringOptions.ContinueOnBatchFailure"/>, its error.
/// </summary>
/// <typeparam name="T">The result row type: <see cref="ScoringRow"/> for tables, the output record type for typed rows.</typeparam>
public sealed class BulkScoringBatch<T>
{
    /// <summary>Creates a batch; the client builds these, and tests of your own code can too.</summary>
    /// <param name="firstRow">The zero-based index, in the whole input, of the batch's first row.</param>
    /// <param name="rowCount">The number of input rows in the batch.</param>
    /// <param name="output">The output table the service returned; <see langword="null"/> when the batch failed.</param>
    /// <param name="results">The result rows; empty when the batch failed.</param>
    /// <param name="error">The failure; <see langword="null"/> when the batch was scored.</param>
    public BulkScoringBatch(long firstRow, int rowCount, ScoringOutput? output, IReadOnlyList<T>? results, BulkScoringException? error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        FirstRow = firstRow;
        RowCount = rowCount;
        Output = output;
        Results = results ?? [];
        Error = error;
    }

    /// <summary>The zero-based index, in the whole input, of the batch's first row.</summary>
    public long FirstRow { get; }

    /// <summary>The number of input rows in the batch.</summary>
    public int RowCount { get; }

    /// <summary>The output table the service returned; <see langword="null"/> when the batch failed.</summary>
    public ScoringOutput? Output { get; }

    /// <summary>The result rows, in input order (one per input row when the model returns one row per input row); empty when the batch failed.</summary>
    public IReadOnlyList<T> Results { get; }

    /// <summary>The failure, with the row range and the service's error; <see langword="null"/> when the batch was scored.</summary>
    public BulkScoringException? Error { get; }

    /// <summary>Whether the batch was scored.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Describes the batch.</summary>
    /// <returns>The row range and outcome.</returns>
    public override string ToString() =>
        $"Rows {FirstRow} to {FirstRow + RowCount - 1}: {(Error is null ? $"{Results.Count} results" : "failed")}";
}
