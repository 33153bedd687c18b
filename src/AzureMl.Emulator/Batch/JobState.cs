namespace AzureMl.Emulator;

/// <summary>The states of a batch job, named as the service reports them.</summary>
internal enum JobState
{
    NotStarted,
    Running,
    Failed,
    Cancelled,
    Finished,
}
