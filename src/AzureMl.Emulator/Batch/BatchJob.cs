
namespace AzureMl.Emulator;

/// <summary>One submitted job and its state machine: NotStarted → Running → Finished | Failed | Cancelled.</summary>
internal sealed class BatchJob(string id, ServiceState service, BlobReferenceBody input, IReadOnlyDictionary<string, BlobReferenceBody> outputs, IReadOnlyDictionary<string, string?> globalParameters) : IDisposable
{
    private readonly Lock _lock = new();

    public string Id { get; } = id;

    public ServiceState Service { get; } = service;

    public BlobReferenceBody Input { get; } = input;

    /// <summary>The outputs the submission overrode, by name; the others go to the emulator's own storage.</summary>
    public IReadOnlyDictionary<string, BlobReferenceBody> Outputs { get; } = outputs;

    public IReadOnlyDictionary<string, string?> GlobalParameters { get; } = globalParameters;

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>The background work of a started job; completed when the job has not started.</summary>
    public Task Run { get; set; } = Task.CompletedTask;

    public JobState State { get; private set; } = JobState.NotStarted;

    public string? Details { get; private set; }

    public Dictionary<string, BlobReferenceBody>? Results { get; private set; }

    public bool IsTerminal => State is JobState.Finished or JobState.Failed or JobState.Cancelled;

    public JobStatusBody Snapshot()
    {
        lock (_lock)
        {
            return new JobStatusBody { StatusCode = State.ToString(), Results = Results, Details = Details };
        }
    }

    public bool TryStart()
    {
        lock (_lock)
        {
            if (State != JobState.NotStarted)
            {
                return false;
            }

            State = JobState.Running;
            return true;
        }
    }

    /// <summary>Cancels a job that has not ended; returns <see langword="false"/> when it had already ended.</summary>
    public bool TryCancel()
    {
        lock (_lock)
        {
            if (IsTerminal)
            {
                return false;
            }

            State = JobState.Cancelled;
        }

        Cancellation.Cancel();
        return true;
    }

    public bool TryFinish(Dictionary<string, BlobReferenceBody> results) => TryEnd(JobState.Finished, results, null);

    public bool TryFail(string details) => TryEnd(JobState.Failed, null, details);

    public void Dispose() => Cancellation.Dispose();

    private bool TryEnd(JobState state, Dictionary<string, BlobReferenceBody>? results, string? details)
    {
        lock (_lock)
        {
            if (IsTerminal)
            {
                return false;
            }

            State = state;
            Results = results;
            Details = details;
            return true;
        }
    }
}
