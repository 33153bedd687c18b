using AzureMl.Client.Internal;

namespace AzureMl.Client.Batch;

/// <summary>
/// A batch job ended without success. <see cref="State"/> tells a failure (<see cref="BatchJobState.Failed"/>, with the
/// service's <see cref="Details"/>) from a cancellation (<see cref="BatchJobState.Cancelled"/>).
/// </summary>
public sealed class BatchJobFailedException : Exception
{
    private string? _note;

    /// <summary>Creates the exception.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="state">The terminal state: <see cref="BatchJobState.Failed"/> or <see cref="BatchJobState.Cancelled"/>.</param>
    /// <param name="details">The service's error text, if any.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public BatchJobFailedException(string jobId, BatchJobState state, string? details, Exception? innerException = null)
        : base(FormatMessage(jobId, state, details), innerException)
    {
        JobId = jobId;
        State = state;
        Details = details is null ? null : SecretRedactor.Redact(details);
    }

    /// <summary>The job id.</summary>
    public string JobId { get; }

    /// <summary>The terminal state: <see cref="BatchJobState.Failed"/> or <see cref="BatchJobState.Cancelled"/>.</summary>
    public BatchJobState State { get; }

    /// <summary>Whether the job was cancelled rather than failed.</summary>
    public bool IsCancelled => State == BatchJobState.Cancelled;

    /// <summary>The service's error text (secrets redacted), or <see langword="null"/> when it gave none.</summary>
    public string? Details { get; }

    /// <summary>What the run created and what became of it, when <see cref="AzureMlClientBatchExtensions.RunBatchJobAsync"/> threw this exception.</summary>
    public BatchRunCleanup? BatchRunCleanup => BatchRunCleanup.Own(this);

    /// <inheritdoc />
    public override string Message => _note is null ? base.Message : base.Message + _note;

    /// <summary>Appends <paramref name="note"/> to the message; every other property stays. Use <see cref="ExceptionNotes.Append"/>.</summary>
    internal void AppendNote(string note) => _note += note;

    private static string FormatMessage(string jobId, BatchJobState state, string? details)
    {
        if (state == BatchJobState.Cancelled)
        {
            return $"Batch job {jobId} was cancelled before it finished; it has no results.";
        }

        var text = $"Batch job {jobId} failed.";
        text += string.IsNullOrWhiteSpace(details)
            ? " The service gave no details; check the input data and the web service's experiment."
            : " The service said: " + SecretRedactor.Redact(details.Trim());
        return text;
    }
}
