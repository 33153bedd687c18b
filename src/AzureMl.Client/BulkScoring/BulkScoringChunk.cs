namespace AzureMl.Client;

/// <summary>
/// One chunk of a bulk scoring run, yielded in input order: its row range and either its results or, with
/// <see cref="BulkScoringOptions.ContinueOnChunkFailure"/>, its error.
/// </summary>
/// <typeparam name="T">The result row type: <see cref="ScoringRow"/> for tables, the output record type for typed rows.</typeparam>
public sealed class BulkScoringChunk<T>
{
    /// <summary>Creates a chunk; the client builds these, and tests of your own code can too.</summary>
    /// <param name="firstRow">The zero-based index, in the whole input, of the chunk's first row.</param>
    /// <param name="rowCount">The number of input rows in the chunk.</param>
    /// <param name="output">The output table the service returned; <see langword="null"/> when the chunk failed.</param>
    /// <param name="results">The result rows; empty when the chunk failed.</param>
    /// <param name="error">The failure; <see langword="null"/> when the chunk was scored.</param>
    public BulkScoringChunk(long firstRow, int rowCount, ScoringOutput? output, IReadOnlyList<T>? results, BulkScoringException? error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        FirstRow = firstRow;
        RowCount = rowCount;
        Output = output;
        Results = results ?? [];
        Error = error;
    }

    /// <summary>The zero-based index, in the whole input, of the chunk's first row.</summary>
    public long FirstRow { get; }

    /// <summary>The number of input rows in the chunk.</summary>
    public int RowCount { get; }

    /// <summary>The output table the service returned; <see langword="null"/> when the chunk failed.</summary>
    public ScoringOutput? Output { get; }

    /// <summary>The result rows, in input order (one per input row when the model returns one row per input row); empty when the chunk failed.</summary>
    public IReadOnlyList<T> Results { get; }

    /// <summary>The failure, with the row range and the service's error; <see langword="null"/> when the chunk was scored.</summary>
    public BulkScoringException? Error { get; }

    /// <summary>Whether the chunk was scored.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Describes the chunk.</summary>
    /// <returns>The row range and outcome.</returns>
    public override string ToString() =>
        $"Rows {FirstRow} to {FirstRow + RowCount - 1}: {(Error is null ? $"{Results.Count} results" : "failed")}";
}
