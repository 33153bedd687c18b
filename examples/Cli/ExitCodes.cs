namespace AzureMl.Cli;

/// <summary>The exit codes scripts can rely on (also listed by <c>azureml --help</c>).</summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded.</summary>
    public const int Success = 0;

    /// <summary>A call to the service (or storage) failed; the message says why.</summary>
    public const int ServiceError = 1;

    /// <summary>Bad arguments or missing configuration.</summary>
    public const int UsageError = 2;

    /// <summary>The input file is missing or is not valid CSV.</summary>
    public const int InputError = 3;

    /// <summary>Scoring finished but some rows failed (with <c>--continue-on-error</c>); they are not in the output.</summary>
    public const int PartialFailure = 4;

    /// <summary>The batch job ended Failed or Cancelled.</summary>
    public const int JobFailed = 5;

    /// <summary>Interrupted (Ctrl+C); a job started by <c>jobs run</c> was cancelled.</summary>
    public const int Interrupted = 130;

    public const string Help = """
        Exit codes:
          0    success
          1    a service or storage call failed
          2    bad arguments or missing configuration
          3    the input file is missing or not valid CSV
          4    some rows failed to score (--continue-on-error); the others were written
          5    the batch job ended Failed or Cancelled
          130  interrupted (Ctrl+C)
        """;
}

/// <summary>A failure with the exit code it maps to and a message for the user.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
