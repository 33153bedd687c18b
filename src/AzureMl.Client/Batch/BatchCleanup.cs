using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using AzureMl.Client.Batch;

namespace AzureMl.Client.Internal;

/// <summary>How a cleanup step ended.</summary>
internal enum CleanupOutcome
{
    /// <summary>The step succeeded (the job or blob is deleted).</summary>
    Done,

    /// <summary>The job could not be deleted, but it was seen to end on its own, so it needs no deleting to stop it.</summary>
    EndedOnItsOwn,

    /// <summary>The step failed for good or ran out of budget.</summary>
    Failed,
}

/// <summary>The outcome of a cleanup step, with the reason when it did not succeed (secrets redacted).</summary>
internal readonly record struct CleanupTry(CleanupOutcome Outcome, string? Reason, BatchJobState? EndedState);

/// <summary>
/// Deleting a batch job or a blob after a run, without throwing: each step is tried again with backoff (on top of the
/// retries the resilience pipeline makes within each try) until it succeeds, fails in a way a retry cannot fix, or its
/// <see cref="CleanupBudget"/> is spent.
/// </summary>
internal static class BatchCleanup
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Deletes a job through <see cref="IAzureMlClient.DeleteJobAsync"/>. With <paramref name="watchJob"/>, checks between
    /// tries whether the job has ended on its own (then it needs no deleting to stop it).
    /// </summary>
    public static Task<CleanupTry> DeleteJobAsync(IAzureMlClient client, string jobId, bool watchJob, CleanupBudget budget) =>
        TryWithinBudgetAsync(
            ct => client.DeleteJobAsync(jobId, ct),
            watchJob ? ct => HasJobEndedAsync(client, jobId, ct) : null,
            budget);

    /// <summary>Deletes a blob (if it exists).</summary>
    public static Task<CleanupTry> DeleteBlobAsync(BlobClient blob, CleanupBudget budget) =>
        TryWithinBudgetAsync(ct => blob.DeleteIfExistsAsync(cancellationToken: ct), null, budget);

    /// <summary>Deletes a job within the default cleanup budget, where no run options apply. Returns the failure, if any.</summary>
    public static async Task<string?> TryDeleteJobAsync(IAzureMlClient client, string jobId, TimeProvider timeProvider)
    {
        using var budget = new CleanupBudget(BatchRunOptions.DefaultCleanupTimeout, timeProvider);
        var result = await DeleteJobAsync(client, jobId, watchJob: false, budget).ConfigureAwait(false);
        return result.Outcome == CleanupOutcome.Done ? null : result.Reason;
    }

    /// <summary>The job's terminal state when it has ended, <see langword="null"/> while it has not; a job the service no longer knows counts as ended.</summary>
    public static async Task<BatchJobState?> HasJobEndedAsync(IAzureMlClient client, string jobId, CancellationToken cancellationToken)
    {
        try
        {
            var status = await client.GetJobStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
            return status.IsCompleted ? status.State : null;
        }
        catch (AzureMlException ex) when (IsJobGone(ex))
        {
            return BatchJobState.Cancelled;
        }
    }

    /// <summary>Whether a failed call says the job does not exist (a 404 for the job, not for the web service or the gateway).</summary>
    public static bool IsJobGone(AzureMlException ex) =>
        ex.Status == 404
        && ex.ErrorSource != AzureMlErrorSource.Gateway
        && !ex.Details.Any(d => d.Code is "WebServiceNotFound" or "WorkspaceNotFound");

    /// <summary>The failures a cleanup step reports instead of throwing.</summary>
    public static bool IsCleanupFailure(Exception ex) =>
        ex is AzureMlException or RequestFailedException or HttpRequestException or IOException or AggregateException or OperationCanceledException;

    private static async Task<CleanupTry> TryWithinBudgetAsync(
        Func<CancellationToken, Task> step,
        Func<CancellationToken, Task<BatchJobState?>>? endedOnItsOwn,
        CleanupBudget budget)
    {
        Exception? last = null;
        var tries = 0;
        var delay = FirstDelay;
        while (true)
        {
            tries++;
            try
            {
                await step(budget.Token).ConfigureAwait(false);
                return new CleanupTry(CleanupOutcome.Done, null, null);
            }
            catch (Exception ex) when (IsCleanupFailure(ex))
            {
                last = Keep(last, ex, budget.Token);
                if (budget.IsSpent || !IsWorthRetrying(ex))
                {
                    return new CleanupTry(CleanupOutcome.Failed, Reason(last, tries, budget.IsSpent, budget.Length), null);
                }
            }

            if (endedOnItsOwn is not null)
            {
                try
                {
                    if (await endedOnItsOwn(budget.Token).ConfigureAwait(false) is { } ended)
                    {
                        return new CleanupTry(CleanupOutcome.EndedOnItsOwn, Reason(last, tries, false, budget.Length), ended);
                    }
                }
                catch (Exception ex) when (IsCleanupFailure(ex))
                {
                    // The step is tried again; a failed check says nothing new about it.
                }
            }

            try
            {
                await Task.Delay(delay, budget.TimeProvider, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return new CleanupTry(CleanupOutcome.Failed, Reason(last, tries, true, budget.Length), null);
            }

            delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
        }
    }

    private static bool IsWorthRetrying(Exception ex) => ex switch
    {
        AzureMlException ml => ml.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        RequestFailedException storage => storage.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        _ => true,
    };

    /// <summary>The failure worth reporting: a cancellation by the budget says less than the failure before it.</summary>
    private static Exception Keep(Exception? last, Exception ex, CancellationToken budget) =>
        last is not null && ex is OperationCanceledException && budget.IsCancellationRequested ? last : ex;

    private static string Reason(Exception? last, int tries, bool budgetSpent, TimeSpan budgetLength)
    {
        var budget = $"the cleanup budget (BatchRunOptions.CleanupTimeout, {budgetLength.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s)";
        if (last is null or OperationCanceledException && budgetSpent)
        {
            return tries <= 1 ? $"it did not complete within {budget}" : $"{tries} tries, the last did not complete within {budget}";
        }

        var text = SecretRedactor.Redact(last!.Message.Split('\n')[0].Trim());
        return budgetSpent ? $"{tries} tries failed within {budget}; the last: {text}" : text;
    }
}

/// <summary>One time budget for a whole cleanup, on the run's clock; the caller's token is cancelled or spent by then, so it is not used.</summary>
internal sealed class CleanupBudget : IDisposable
{
    private readonly CancellationTokenSource _timeout;

    public CleanupBudget(TimeSpan length, TimeProvider timeProvider)
    {
        Length = length;
        TimeProvider = timeProvider;
        _timeout = new CancellationTokenSource(length, timeProvider);
    }

    public TimeSpan Length { get; }

    public TimeProvider TimeProvider { get; }

    public CancellationToken Token => _timeout.Token;

    public bool IsSpent => _timeout.IsCancellationRequested;

    public void Dispose() => _timeout.Dispose();
}
