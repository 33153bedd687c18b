using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;

namespace AzureMl.Client.Internal;

/// <summary>Row sources and run set-ups shared by the bulk extensions of both protocols.</summary>
internal static class BulkRows
{
    /// <summary>A run over rows of cells, scored by the scorer <paramref name="scorer"/> builds for the columns.</summary>
    public static IAsyncEnumerable<BulkScoringChunk<ScoringRow>> Cells(
        Func<string[], IChunkScorer> scorer, IEnumerable<string> columnNames, IAsyncEnumerable<IReadOnlyList<object?>> rows, BulkScoringOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = new ScoringTable(columnNames).RawColumnNames;
        return BulkScoringEngine.RunAsync(scorer(columns), columns, rows, ToCells, static (output, _) => output.Rows, options, cancellationToken);
    }

    /// <summary>A run over records, read back as records.</summary>
    public static IAsyncEnumerable<BulkScoringChunk<TOutput>> Records<TInput, TOutput>(
        Func<string[], IChunkScorer> scorer, IAsyncEnumerable<TInput> rows, JsonTypeInfo<TInput> inputType, JsonTypeInfo<TOutput> outputType, BulkScoringOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var input = new InputRowMapper<TInput>(inputType, nameof(inputType));
        var output = new OutputRowMapper<TOutput>(outputType, nameof(outputType));
        return BulkScoringEngine.RunAsync(scorer(input.Columns), input.Columns, rows, input.ToCells, output.Read, options, cancellationToken);
    }

    /// <summary>The table of a single call over a few records (with cell kinds when <paramref name="typed"/>), and the reader of its answer.</summary>
    public static (ScoringTable Table, OutputRowMapper<TOutput> Output) OneCall<TInput, TOutput>(
        IEnumerable<TInput> rows, JsonTypeInfo<TInput> inputType, JsonTypeInfo<TOutput> outputType, bool typed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var input = new InputRowMapper<TInput>(inputType, nameof(inputType));
        var output = new OutputRowMapper<TOutput>(outputType, nameof(outputType));
        var table = new ScoringTable(input.Columns);
        long index = 0;
        foreach (var row in rows)
        {
            table.AddRaw(input.ToCells(row, index++, typed, out var kinds), kinds);
        }

        if (table.RawRows.Count == 0)
        {
            throw new ArgumentException("There are no rows: pass at least one record.", nameof(rows));
        }

        return (table, output);
    }

    /// <summary>The cells of a row of objects (<see cref="ScoringTable.FormatCell"/>), and their kinds when <paramref name="typed"/>.</summary>
    [SuppressMessage("Usage", "CA2208:Instantiate argument exceptions correctly", Justification = "The bad value came from the caller's rows argument.")]
    public static string?[] ToCells(IReadOnlyList<object?> row, long index, bool typed, out bool borrowed, out ScoringTable.CellKind[]? kinds)
    {
        kinds = null;
        if (row is null)
        {
            throw new ArgumentException($"Row {index} is null: pass one list of cells per row.", "rows");
        }

        if (row is string?[] text)
        {
            // The caller's own array, used as it is: the engine copies it only if it keeps it past the next row.
            borrowed = true;
            return text;
        }

        borrowed = false;
        var cells = new string?[row.Count];
        for (var i = 0; i < cells.Length; i++)
        {
            try
            {
                ScoringTable.SetCell(cells, ref kinds, i, row[i], typed);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Row {index}, cell {i}: {ex.Message}", "rows", ex);
            }
        }

        return cells;
    }

    /// <summary>An <see cref="IEnumerable{T}"/> read as an async source, observing the run's token between rows.</summary>
    internal sealed class SyncSource<T>(IEnumerable<T> items) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(items.GetEnumerator(), cancellationToken);

        private sealed class Enumerator(IEnumerator<T> inner, CancellationToken cancellationToken) : IAsyncEnumerator<T>
        {
            public T Current => inner.Current;

            public ValueTask<bool> MoveNextAsync()
            {
                cancellationToken.ThrowIfCancellationRequested();
                return new ValueTask<bool>(inner.MoveNext());
            }

            public ValueTask DisposeAsync()
            {
                inner.Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
