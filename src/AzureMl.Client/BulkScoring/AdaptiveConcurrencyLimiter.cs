namespace AzureMl.Client.Internal;

/// <summary>
/// Bounds the calls in flight, halving the bound when a call is throttled and raising it by one after a full round of
/// successes (additive increase, multiplicative decrease). A throttle decreases the bound once per generation, so a
/// burst of 503s from calls started together counts as one signal. Waiters get free slots in the order of their
/// priority (a chunk's first row), so a chunk sent again after a failure goes before later chunks not yet sent.
/// </summary>
internal sealed class AdaptiveConcurrencyLimiter(int maximum)
{
    private readonly int _maximum = maximum;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<TaskCompletionSource<int>, long> _waiters = new();
    private int _limit = maximum;
    private int _inUse;
    private int _generation;
    private int _successes;

    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    /// <summary>Waits for a slot; returns the generation to hand back to <see cref="Release"/>.</summary>
    /// <param name="priority">Lower goes first among waiters (a chunk's first row).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public ValueTask<int> AcquireAsync(long priority, CancellationToken cancellationToken)
    {
        TaskCompletionSource<int> waiter;
        lock (_lock)
        {
            if (_inUse < _limit && _waiters.Count == 0)
            {
                _inUse++;
                return new ValueTask<int>(_generation);
            }

            waiter = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter, priority);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    public void Release(int generation, bool throttled)
    {
        lock (_lock)
        {
            _inUse--;
            if (throttled)
            {
                if (generation == _generation)
                {
                    _limit = Math.Max(1, _limit / 2);
                    _generation++;
                    _successes = 0;
                }
            }
            else if (_limit < _maximum && ++_successes >= _limit)
            {
                _limit++;
                _successes = 0;
            }

            while (_inUse < _limit && _waiters.TryDequeue(out var waiter, out _))
            {
                // A cancelled waiter fails TrySetResult and gives its turn to the next one.
                if (waiter.TrySetResult(_generation))
                {
                    _inUse++;
                }
            }
        }
    }

    private static async ValueTask<int> WaitAsync(TaskCompletionSource<int> waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(static state => ((TaskCompletionSource<int>)state!).TrySetCanceled(), waiter))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }
}
