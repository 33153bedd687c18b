using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;
using AzureMl.Client.Internal;

namespace AzureMl.Client;

public sealed partial class AzureMlClient
{
    internal const int MaxKeptInputs = 1000;

    // Between a cleanup's tries, on top of the retries the resilience pipeline makes within each try.
    private static readonly TimeSpan CleanupFirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CleanupMaxDelay = TimeSpan.FromSeconds(8);

    // Input blobs that runs kept because their job could still read them, by blob URL without query (never a SAS).
    private readonly ConcurrentDictionary<string, KeptInput> _keptInputs = new(StringComparer.Ordinal);

    internal enum JobCleanupOutcome
    {
        Deleted,
        Ended,
        Failed,
    }

    /// <inheritdoc />
    public async Task<int> CleanUpKeptInputsAsync(CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var (key, kept) in _keptInputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await HasJobEndedAsync(kept.JobId, cancellationToken).ConfigureAwait(false) is null)
                {
                    continue;
                }

                await kept.Blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                if (_keptInputs.TryRemove(new KeyValuePair<string, KeptInput>(key, kept)))
                {
                    deleted++;
                }
            }
            catch (Exception ex) when (IsCleanupFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Stays remembered for the next sweep.
            }
        }

        return deleted;
    }

    /// <summary>Deletes a job without throwing, within the default cleanup budget; used where no run options apply. Returns the failure, if any.</summary>
    internal async Task<string?> TryDeleteJobAsync(string jobId)
    {
        using var budget = new CancellationTokenSource(BatchRunOptions.DefaultCleanupTimeout, TimeProvider);
        var result = await DeleteJobWithinBudgetAsync(jobId, watchJob: false, BatchRunOptions.DefaultCleanupTimeout, budget.Token).ConfigureAwait(false);
        return result.Outcome == JobCleanupOutcome.Deleted ? null : result.Reason;
    }

    /// <summary>
    /// Deletes a job without throwing, trying again with backoff until it is deleted, the failure is one a retry cannot
    /// fix, or <paramref name="budget"/> is cancelled. With <paramref name="watchJob"/>, checks between tries whether the
    /// job has ended on its own (then it needs no deleting to stop it).
    /// </summary>
    internal async Task<JobCleanupResult> DeleteJobWithinBudgetAsync(string jobId, bool watchJob, TimeSpan budgetLength, CancellationToken budget)
    {
        Exception? last = null;
        var tries = 0;
        var delay = CleanupFirstDelay;
        while (true)
        {
            tries++;
            try
            {
                await DeleteJobAsync(jobId, budget).ConfigureAwait(false);
                return new JobCleanupResult(JobCleanupOutcome.Deleted, null, null);
            }
            catch (Exception ex) when (ex is AzureMlException or HttpRequestException or OperationCanceledException)
            {
                last = Keep(last, ex, budget);
                if (budget.IsCancellationRequested || !IsWorthRetrying(ex))
                {
                    return new JobCleanupResult(JobCleanupOutcome.Failed, CleanupReason(last, tries, budget.IsCancellationRequested, budgetLength), null);
                }
            }

            if (watchJob)
            {
                try
                {
                    if (await HasJobEndedAsync(jobId, budget).ConfigureAwait(false) is { } ended)
                    {
                        return new JobCleanupResult(JobCleanupOutcome.Ended, CleanupReason(last, tries, false, budgetLength), ended);
                    }
                }
                catch (Exception ex) when (IsCleanupFailure(ex))
                {
                    // The delete is tried again; a status failure says nothing new about it.
                }
            }

            try
            {
                await Task.Delay(delay, TimeProvider, budget).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return new JobCleanupResult(JobCleanupOutcome.Failed, CleanupReason(last, tries, true, budgetLength), null);
            }

            delay = delay * 2 > CleanupMaxDelay ? CleanupMaxDelay : delay * 2;
        }
    }

    /// <summary>Deletes a blob without throwing, trying again with backoff like <see cref="DeleteJobWithinBudgetAsync"/>. Returns the reason it failed, if it did.</summary>
    internal async Task<string?> DeleteBlobWithinBudgetAsync(BlobClient blob, TimeSpan budgetLength, CancellationToken budget)
    {
        Exception? last = null;
        var tries = 0;
        var delay = CleanupFirstDelay;
        while (true)
        {
            tries++;
            try
            {
                await blob.DeleteIfExistsAsync(cancellationToken: budget).ConfigureAwait(false);
                return null;
            }
            catch (Exception ex) when (IsCleanupFailure(ex))
            {
                last = Keep(last, ex, budget);
                if (budget.IsCancellationRequested || !IsWorthRetrying(ex))
                {
                    return CleanupReason(last, tries, budget.IsCancellationRequested, budgetLength);
                }
            }

            try
            {
                await Task.Delay(delay, TimeProvider, budget).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return CleanupReason(last, tries, true, budgetLength);
            }

            delay = delay * 2 > CleanupMaxDelay ? CleanupMaxDelay : delay * 2;
        }
    }

    /// <summary>Remembers an input blob kept while its job could still read it; <see langword="false"/> when the client already remembers too many.</summary>
    internal bool RememberKeptInput(string jobId, BlobClient blob)
    {
        if (_keptInputs.Count >= MaxKeptInputs)
        {
            return false;
        }

        _keptInputs[blob.Uri.GetLeftPart(UriPartial.Path)] = new KeptInput(jobId, blob);
        return true;
    }

    /// <summary>Runs <see cref="CleanUpKeptInputsAsync"/> at the start of a run, within <paramref name="budgetLength"/>; its failures never fail the run.</summary>
    internal async Task SweepKeptInputsAsync(TimeSpan budgetLength, CancellationToken cancellationToken)
    {
        if (_keptInputs.IsEmpty)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(budgetLength, TimeProvider);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await CleanUpKeptInputsAsync(budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The budget ran out: the rest waits for the next sweep.
        }
    }

    /// <summary>The job's terminal state when it has ended, <see langword="null"/> while it has not; a job the service no longer knows counts as ended.</summary>
    private async Task<BatchJobState?> HasJobEndedAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            var status = await GetJobStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
            return status.IsCompleted ? status.State : null;
        }
        catch (AzureMlException ex) when (IsJobGone(ex))
        {
            return BatchJobState.Cancelled;
        }
    }

    private static bool IsCleanupFailure(Exception ex) =>
        ex is AzureMlException or RequestFailedException or HttpRequestException or IOException or AggregateException or OperationCanceledException;

    private static bool IsWorthRetrying(Exception ex) => ex switch
    {
        AzureMlException ml => ml.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        RequestFailedException storage => storage.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        _ => true,
    };

    /// <summary>The failure worth reporting: a cancellation by the budget says less than the failure before it.</summary>
    private static Exception Keep(Exception? last, Exception ex, CancellationToken budget) =>
        last is not null && ex is OperationCanceledException && budget.IsCancellationRequested ? last : ex;

    private static string CleanupReason(Exception? last, int tries, bool budgetSpent, TimeSpan budgetLength)
    {
        var budget = $"the cleanup budget (BatchRunOptions.CleanupTimeout, {budgetLength.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s)";
        if (last is null or OperationCanceledException && budgetSpent)
        {
            return tries <= 1 ? $"it did not complete within {budget}" : $"{tries} tries, the last did not complete within {budget}";
        }

        var text = SecretRedactor.Redact(last!.Message.Split('\n')[0].Trim());
        return budgetSpent ? $"{tries} tries failed within {budget}; the last: {text}" : text;
    }

    internal sealed record JobCleanupResult(JobCleanupOutcome Outcome, string? Reason, BatchJobState? EndedState);

    private sealed record KeptInput(string JobId, BlobClient Blob);
}
