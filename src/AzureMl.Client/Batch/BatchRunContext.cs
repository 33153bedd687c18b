using System.Runtime.CompilerServices;

namespace AzureMl.Client.Internal;

/// <summary>
/// What the one-call batch run keeps per client beyond the public interface: the clock it measures waits and budgets
/// on, and the input blobs kept while their jobs could still read them. Looked up by client instance in one table, so an
/// <see cref="AzureMlClient"/>, a fake and a decorator of <see cref="IAzureMlClient"/> all take the same path.
/// </summary>
internal sealed class BatchRunContext
{
    // Weak keys: a context lives exactly as long as its client.
    private static readonly ConditionalWeakTable<IAzureMlClient, BatchRunContext> Contexts = new();

    private BatchRunContext(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
    }

    /// <summary>The clock for waits between polls, cleanup backoff and budgets, and SAS expiry.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Input blobs kept by runs on this client because their job could still read them.</summary>
    public KeptInputs KeptInputs { get; } = new();

    /// <summary>
    /// Registers <paramref name="client"/>'s own clock; the client's constructor calls it, so runs on it measure time as
    /// its other calls do. A client registered twice keeps its first clock.
    /// </summary>
    public static void Register(IAzureMlClient client, TimeProvider timeProvider) =>
        Contexts.TryAdd(client, new BatchRunContext(timeProvider));

    /// <summary>The context of <paramref name="client"/>: the registered one, or (for any other implementation) one on <see cref="TimeProvider.System"/>, made on first use.</summary>
    public static BatchRunContext For(IAzureMlClient client) =>
        Contexts.GetValue(client, static _ => new BatchRunContext(TimeProvider.System));
}
