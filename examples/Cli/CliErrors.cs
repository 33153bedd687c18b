using Azure;
using AzureMl.Client;
using AzureMl.Client.Batch;

namespace AzureMl.Cli;

/// <summary>Turns a failure into the one or two lines a user reads and the exit code the README lists; never a stack trace.</summary>
internal static class CliErrors
{
    private const string StorageHint = "Check AZUREML__STORAGECONNECTIONSTRING; for UseDevelopmentStorage=true, start Azurite first (npx azurite), or use --emulator.";

    /// <summary>Maps a failure; <paramref name="online"/> says the command scored against an online endpoint, whose settings the hints then name.</summary>
    public static (int Code, string Message) Map(Exception e, bool online = false) => e switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        BatchJobFailedException job => (ExitCodes.JobFailed, job.Message),
        // The header is record 1, so data row i is record i + 2: the numbering of the CSV errors.
        BulkScoringException bulk => (ExitCodes.ServiceError,
            $"Scoring stopped: records {bulk.FirstRow + 2} to {bulk.FirstRow + bulk.RowCount + 1} failed: {bulk.ScoringError?.Message ?? bulk.Message}{(online ? OnlineHint(bulk.ScoringError) : null)} "
            + "With --continue-on-error the other rows are scored and each failed range is listed."),
        AzureMlException service => (ExitCodes.ServiceError, service.Message),
        ArgumentException { ParamName: "jobId" } id => (ExitCodes.UsageError, "The job id " + JobIdProblem(id) + " Pass it exactly as 'jobs submit' printed it."),
        AggregateException aggregate when aggregate.InnerExceptions.All(i => i is RequestFailedException { Status: 0 }) =>
            (ExitCodes.ServiceError, $"Blob storage did not answer ({FirstLine(aggregate.InnerExceptions[^1].Message)}). {StorageHint}"),
        RequestFailedException { Status: 0 } storage => (ExitCodes.ServiceError, $"Blob storage did not answer ({FirstLine(storage.Message)}). {StorageHint}"),
        // Status and code only: the storage SDK's full message lists request headers.
        RequestFailedException { Status: 403 } storage => (ExitCodes.ServiceError, $"Blob storage refused the key: 403 {storage.ErrorCode}. Copy the connection string again from the storage account's Access keys."),
        RequestFailedException storage => (ExitCodes.ServiceError, $"A blob storage call failed: {storage.Status} {storage.ErrorCode}. {StorageHint}"),
        HttpRequestException http => (ExitCodes.ServiceError, $"The network call failed: {http.Message} Check {(online ? "--scoring-uri (or AZUREML__ONLINE__SCORINGURI)" : "--endpoint (or AZUREML__ENDPOINT)")} and the network."),
        UriFormatException => (ExitCodes.UsageError, "--endpoint is not a valid URL, e.g. https://ussouthcentral.services.azureml.net."),
        UnauthorizedAccessException or IOException => (ExitCodes.InputError, $"{e.Message} Check the file's path and permissions."),
        InvalidOperationException => (ExitCodes.ServiceError, e.Message),
        _ => (ExitCodes.ServiceError, $"Unexpected failure ({e.GetType().Name}): {e.Message}"),
    };

    /// <summary>What to check when an online endpoint itself (not the gateway) refuses the key or finds no such endpoint or deployment.</summary>
    public static string? OnlineHint(AzureMlException? error) => error switch
    {
        { Status: 401, ErrorSource: not AzureMlErrorSource.Gateway } =>
            " Here that is AZUREML__ONLINE__PRIMARYKEY (or the user secret AzureMl:Online:PrimaryKey): it must be one of this endpoint's keys ('az ml online-endpoint get-credentials').",
        { Status: 404, ErrorSource: not AzureMlErrorSource.Gateway } =>
            " Here that is --scoring-uri (or AZUREML__ONLINE__SCORINGURI) and --deployment (or AZUREML__ONLINE__DEPLOYMENT); 'az ml online-deployment list' names the endpoint's deployments.",
        _ => null,
    };

    private static string JobIdProblem(ArgumentException e)
    {
        // "'jobId' must not contain '..': … (Parameter 'jobId')" → "must not contain '..': …"
        var text = e.Message;
        var suffix = text.IndexOf(" (Parameter", StringComparison.Ordinal);
        text = suffix >= 0 ? text[..suffix] : text;
        return text.StartsWith("'jobId' ", StringComparison.Ordinal) ? text["'jobId' ".Length..] : text;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return (end >= 0 ? text[..end] : text).TrimEnd('.');
    }
}
