namespace AzureMl.Client.Internal;

/// <summary>
/// Rows per chunk. Without a target call duration, always the most allowed. With one, it follows the measured time
/// per row so a call takes about the target: it starts small, grows at most eightfold per answer, drops at once when calls
/// run long, and halves when the service answers 408 (its request timeout); always between the bounds the user set.
/// </summary>
internal sealed class ChunkSizer
{
    /// <summary>Rows of the first chunks when sizes adapt, before any call has been timed.</summary>
    internal const int FirstAdaptiveSize = 16;

    /// <summary>How many times the rows of a timed chunk the next size may be.</summary>
    internal const int GrowthPerAnswer = 8;

    private readonly int _min;
    private readonly int _max;
    private readonly double _targetTicks;
    private int _current;
    private volatile bool _measured;

    public ChunkSizer(int max, int min, TimeSpan? target)
    {
        _max = max;
        _min = Math.Min(min, max);
        if (target is { } t && t > TimeSpan.Zero)
        {
            _targetTicks = t.Ticks;
            _current = Math.Clamp(FirstAdaptiveSize, _min, _max);
        }
        else
        {
            _current = max;
        }
    }

    /// <summary>Rows for the next chunk.</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>
    /// Whether the current size is known to fit: fixed sizes always are; adaptive ones once an answer to a chunk at
    /// least that large was timed (or ran out of time). Until then the size may still grow, and chunks read ahead would
    /// keep it small.
    /// </summary>
    public bool Settled => _targetTicks == 0 || _measured;

    /// <summary>A chunk of <paramref name="rows"/> rows was answered after <paramref name="duration"/>.</summary>
    public void Succeeded(int rows, TimeSpan duration)
    {
        if (_targetTicks == 0 || rows <= 0)
        {
            return;
        }

        var perRow = Math.Max(duration.Ticks, 1) / (double)rows;
        var fits = _targetTicks / perRow;
        int seen, next;
        do
        {
            seen = Volatile.Read(ref _current);

            // Growth is bounded (eight times the rows just timed) so one fast answer cannot jump far past a size
            // measured, yet a run reaches its size within two answers: the window already holds chunks read at the
            // old size, so slow growth keeps many rows in small calls. A short chunk (the last one) that fits does not
            // lower the size.
            next = (int)Math.Clamp(Math.Min(fits, Math.Max(seen, rows * (double)GrowthPerAnswer)), _min, _max);
        }
        while (Interlocked.CompareExchange(ref _current, next, seen) != seen);
        _measured = rows >= next;
    }

    /// <summary>A chunk of <paramref name="rows"/> rows ran past the service's request timeout.</summary>
    public void TimedOut(int rows)
    {
        int seen, next;
        do
        {
            seen = Volatile.Read(ref _current);
            next = Math.Max(_min, Math.Min(seen, rows) / 2);
        }
        while (Interlocked.CompareExchange(ref _current, next, seen) != seen);
        _measured = true;
    }
}
