using System.Collections.Concurrent;

namespace AzureMl.Emulator;

/// <summary>Counts calls per key in fixed windows that open at a key's first call, as API Management's rate-limit and quota policies do.</summary>
internal sealed class FixedWindowCounter(int limit, TimeSpan period, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Counts a call; returns how long until the window reopens when the key is over its limit, else <see langword="null"/>.</summary>
    public TimeSpan? TryAcquire(string key)
    {
        var window = _windows.GetOrAdd(key, static _ => new Window());
        var now = timeProvider.GetUtcNow();
        lock (window)
        {
            if (window.Count == 0 || now >= window.Start + period)
            {
                window.Start = now;
                window.Count = 0;
            }

            if (window.Count >= limit)
            {
                return window.Start + period - now;
            }

            window.Count++;
            return null;
        }
    }

    private sealed class Window
    {
        public DateTimeOffset Start { get; set; }

        public int Count { get; set; }
    }
}
