using System.Collections.Concurrent;

namespace AzureMl.Client.Tests.Batch;

/// <summary>Collects progress reports synchronously (no synchronization context hop).</summary>
internal sealed class ListProgress<T> : IProgress<T>
{
    private readonly ConcurrentQueue<T> _items = new();

    public IReadOnlyList<T> Items => [.. _items];

    public void Report(T value) => _items.Enqueue(value);
}
