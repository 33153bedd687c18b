using System.Collections.Concurrent;
using Azure.Storage.Blobs;

namespace AzureMl.Client.Internal;

/// <summary>
/// Input blobs that runs on one client kept because their job could still read them, deleted once the job has ended.
/// Keyed by blob URL without query (never a SAS). Lives in the client's <see cref="BatchRunContext"/>.
/// </summary>
internal sealed class KeptInputs
{
    /// <summary>How many kept input blobs one client remembers at most.</summary>
    public const int Max = 1000;

    private readonly ConcurrentDictionary<string, KeptInput> _kept = new(StringComparer.Ordinal);

    /// <summary>Remembers an input blob kept while its job could still read it; <see langword="false"/> when <see cref="Max"/> are remembered already.</summary>
    public bool Remember(string jobId, BlobClient blob)
    {
        if (_kept.Count >= Max)
        {
            return false;
        }

        _kept[blob.Uri.GetLeftPart(UriPartial.Path)] = new KeptInput(jobId, blob);
        return true;
    }

    /// <summary>Deletes the kept blobs whose job has ended or is gone (asking through <paramref name="client"/>); returns how many.</summary>
    public async Task<int> CleanUpAsync(IAzureMlClient client, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var (key, kept) in _kept)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await BatchCleanup.HasJobEndedAsync(client, kept.JobId, cancellationToken).ConfigureAwait(false) is null)
                {
                    continue;
                }

                await kept.Blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                if (_kept.TryRemove(new KeyValuePair<string, KeptInput>(key, kept)))
                {
                    deleted++;
                }
            }
            catch (Exception ex) when (BatchCleanup.IsCleanupFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Stays remembered for the next sweep.
            }
        }

        return deleted;
    }

    /// <summary>Runs <see cref="CleanUpAsync"/> at the start of a run, within <paramref name="budgetLength"/>; its failures never fail the run.</summary>
    public async Task SweepAsync(IAzureMlClient client, TimeProvider timeProvider, TimeSpan budgetLength, CancellationToken cancellationToken)
    {
        if (_kept.IsEmpty)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(budgetLength, timeProvider);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await CleanUpAsync(client, budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The budget ran out: the rest waits for the next sweep.
        }
    }

    private sealed record KeptInput(string JobId, BlobClient Blob);
}
