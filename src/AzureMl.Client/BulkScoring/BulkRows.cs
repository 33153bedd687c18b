using System.Diagnostics.CodeAnalysis;

namespace AzureMl.Client.Internal;

/// <summary>Row sources shared by the bulk extensions of both protocols.</summary>
internal static class BulkRows
{
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
            var value = row[i];
            try
            {
                cells[i] = ScoringTable.FormatCell(value);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Row {index}, cell {i}: {ex.Message}", "rows", ex);
            }

            if (typed && ScoringTable.KindOf(value) is var kind and not ScoringTable.CellKind.Text)
            {
                kinds ??= new ScoringTable.CellKind[cells.Length];
                kinds[i] = kind;
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
