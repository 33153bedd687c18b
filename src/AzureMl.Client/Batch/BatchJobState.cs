using System.Text.Json.Serialization;

namespace AzureMl.Client.Batch;

/// <summary>The state of a batch job. The service sends the names (any case) or, in older services, the integers 0–4.</summary>
[JsonConverter(typeof(BatchJobStateConverter))]
public enum BatchJobState
{
    /// <summary>Submitted but not started.</summary>
    NotStarted = 0,

    /// <summary>Started and running (or queued to run).</summary>
    Running = 1,

    /// <summary>Ended with an error; <see cref="BatchJobStatus.Details"/> says why. Terminal.</summary>
    Failed = 2,

    /// <summary>Cancelled by a delete while it ran. Terminal.</summary>
    Cancelled = 3,

    /// <summary>Ended successfully; <see cref="BatchJobStatus.Results"/> holds the outputs. Terminal.</summary>
    Finished = 4,
}

/// <summary>Extension members for <see cref="BatchJobState"/>.</summary>
public static class BatchJobStateExtensions
{
    /// <summary>Whether the job has ended (<see cref="BatchJobState.Finished"/>, <see cref="BatchJobState.Failed"/> or <see cref="BatchJobState.Cancelled"/>).</summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for a terminal state.</returns>
    public static bool IsTerminal(this BatchJobState state) =>
        state is BatchJobState.Finished or BatchJobState.Failed or BatchJobState.Cancelled;
}
