// azureml: score CSV files and run batch jobs against an Azure ML Studio (classic) web service, and score CSV files
// against an Azure ML managed online endpoint.
//
//   azureml score reviews.csv scored.csv --emulator
//   azureml score reviews.csv scored.csv --emulator --online
//   AZUREML__ONLINE__SCORINGURI=… AZUREML__ONLINE__PRIMARYKEY=… azureml score in.csv out.csv --online [--deployment blue] [--typed]
//   azureml jobs run reviews.csv --output scored.csv --emulator
//   AZUREML__ENDPOINT=… AZUREML__WORKSPACEID=… AZUREML__SERVICEID=… AZUREML__APIKEY=… azureml score in.csv out.csv
//
// Progress goes to stderr, results to stdout, and the exit code says what happened (ExitCodes.cs).
using System.CommandLine;
using AzureMl.Cli;
using AzureMl.Client;
using AzureMl.Client.Batch;
using Spectre.Console;

var status = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

Option<bool> emulator = new("--emulator") { Description = "Start the emulator in this process and use it: try everything without an Azure account", Recursive = true };
Option<string?> endpoint = new("--endpoint") { Description = "Service root, e.g. https://ussouthcentral.services.azureml.net or an API Management URL (default: AZUREML__ENDPOINT)", Recursive = true };
Option<string?> workspace = new("--workspace") { Description = "Workspace id (default: AZUREML__WORKSPACEID)", Recursive = true };
Option<string?> service = new("--service") { Description = "Web service id (default: AZUREML__SERVICEID)", Recursive = true };
Option<bool> verbose = new("--verbose") { Description = "On failure, print the exception's details (stack trace) after the message", Recursive = true };
Option<string?> encoding = new("--encoding") { Description = "The input file's encoding: utf-8 (default; other bytes are refused with their offset) or latin1" };

Argument<FileInfo> input = new("input") { Description = "CSV file whose first line names the input columns" };
Argument<FileInfo> scoreOutput = new("output") { Description = "CSV file to write the scored rows to (replaced only when scoring succeeds)" };
Option<int> chunkSize = new("--chunk-size") { Description = "Rows per call (with --online, the most: chunks are sized to about 1 s per call)", DefaultValueFactory = _ => new BulkScoringOptions().ChunkSize };
Option<int> concurrency = new("--concurrency") { Description = "Most calls in flight (lowered automatically while the service throttles)", DefaultValueFactory = _ => new BulkScoringOptions().MaxConcurrency };
Option<bool> continueOnError = new("--continue-on-error") { Description = "Skip rows whose call fails instead of stopping; each failed range is reported on stderr (exit code 4)" };
Option<FileInfo?> failedRows = new("--failed-rows") { Description = "With --continue-on-error: also write the failed records, with the header, to this CSV file" };
Option<bool> online = new("--online") { Description = "Score against an Azure ML managed online endpoint instead of a classic web service (with --emulator: the emulator's online endpoint)" };
Option<string?> scoringUri = new("--scoring-uri") { Description = "The online endpoint's scoring URI, e.g. https://my-endpoint.westeurope.inference.ml.azure.com/score (default: AZUREML__ONLINE__SCORINGURI); implies --online" };
Option<string?> deployment = new("--deployment") { Description = "Pin every call to this deployment of the online endpoint instead of its traffic rules (default: AZUREML__ONLINE__DEPLOYMENT); implies --online" };
Option<bool> typed = new("--typed") { Description = "Online endpoint: send each column whose non-empty cells are all numbers (or all true/false) as JSON numbers (booleans), its empty cells as null; without it every cell is text" };
Command score = new("score", "Score a CSV file through request-response calls, in parallel chunks, with a live progress bar")
{
    input, scoreOutput, chunkSize, concurrency, continueOnError, failedRows, encoding, online, scoringUri, deployment, typed,
};
bool Online(ParseResult parse) => parse.GetValue(online) || parse.GetValue(scoringUri) is not null || parse.GetValue(deployment) is not null;
ScoreCommand.Settings ScoreSettings(ParseResult parse) => new(
    parse.GetValue(input)!,
    parse.GetValue(scoreOutput)!,
    new BulkScoringOptions { ChunkSize = parse.GetValue(chunkSize), MaxConcurrency = parse.GetValue(concurrency), ContinueOnChunkFailure = parse.GetValue(continueOnError) },
    parse.GetValue(failedRows),
    parse.GetValue(encoding),
    parse.GetValue(typed));
score.SetAction((parse, ct) => Run(
    parse,
    withStorage: false,
    ct,
    connection => ScoreCommand.RunAsync(connection, ScoreSettings(parse), status, ct),
    validate: async () =>
    {
        if (parse.GetValue(failedRows) is not null && !parse.GetValue(continueOnError))
        {
            throw new CliException(ExitCodes.UsageError, "--failed-rows needs --continue-on-error: without it the first failure stops scoring.");
        }

        if (Online(parse))
        {
            if (parse.GetValue(endpoint) is not null || parse.GetValue(workspace) is not null || parse.GetValue(service) is not null)
            {
                throw new CliException(ExitCodes.UsageError,
                    "--endpoint, --workspace and --service name a classic web service: an online endpoint takes --scoring-uri (or AZUREML__ONLINE__SCORINGURI). Drop one or the other.");
            }

            if (parse.GetValue(emulator) && parse.GetValue(scoringUri) is not null)
            {
                throw new CliException(ExitCodes.UsageError, "--scoring-uri and --emulator both say where to score: drop --scoring-uri to use the emulator's online endpoint, or --emulator to use yours.");
            }

            CliConnection.ValidateDeployment(parse.GetValue(deployment));
        }
        else if (parse.GetValue(typed))
        {
            throw new CliException(ExitCodes.UsageError,
                "--typed is for online endpoints (add --online): a classic web service receives every cell as text and converts it by its own schema.");
        }

        ScoreCommand.Validate(ScoreSettings(parse));
        await CsvInput.OpenAsync(parse.GetValue(input)!, CsvInput.ParseEncoding(parse.GetValue(encoding)), ct);
    },
    online: Online(parse) ? (parse.GetValue(scoringUri), parse.GetValue(deployment)) : null));

Argument<string> jobId = new("job-id") { Description = "The job id printed by 'jobs submit'" };
Option<bool> wait = new("--wait") { Description = "Follow the job live until it ends (exit code 5 if it fails)" };
Option<FileInfo?> runOutput = new("--output", "-o") { Description = "Where to write the job's output1 (default: <input>.scored.csv)" };

Command submit = new("submit", "Upload a CSV file and submit a job that scores it (not started); prints the job id") { input, encoding };
submit.SetAction((parse, ct) => Run(
    parse,
    withStorage: true,
    ct,
    connection => JobsCommands.SubmitAsync(connection, parse.GetValue(input)!, parse.GetValue(encoding), ct),
    validate: () => CsvInput.OpenAsync(parse.GetValue(input)!, CsvInput.ParseEncoding(parse.GetValue(encoding)), ct)));
Command start = new("start", "Start a submitted job") { jobId };
start.SetAction((parse, ct) => Run(parse, withStorage: false, ct, connection => JobsCommands.StartAsync(connection, parse.GetValue(jobId)!, ct)));
Command jobStatus = new("status", "Show a job's state and outputs") { jobId, wait };
jobStatus.SetAction((parse, ct) => Run(parse, withStorage: false, ct, connection => JobsCommands.StatusAsync(connection, parse.GetValue(jobId)!, parse.GetValue(wait), status, ct)));
Command cancel = new("cancel", "Cancel (delete) a job") { jobId };
cancel.SetAction((parse, ct) => Run(parse, withStorage: false, ct, connection => JobsCommands.CancelAsync(connection, parse.GetValue(jobId)!, ct)));
Command run = new("run", "Upload, submit, start, follow and download a job in one go; Ctrl+C cancels the job") { input, runOutput, encoding };
FileInfo RunOutput(ParseResult parse) =>
    parse.GetValue(runOutput) ?? new FileInfo(Path.ChangeExtension(parse.GetValue(input)!.FullName, ".scored.csv"));
run.SetAction((parse, ct) => Run(
    parse,
    withStorage: true,
    ct,
    connection => JobsCommands.RunAsync(connection, parse.GetValue(input)!, RunOutput(parse), parse.GetValue(encoding), status, ct),
    validate: async () =>
    {
        OutputFile.Check(RunOutput(parse), parse.GetValue(input)!, "output");
        await CsvInput.OpenAsync(parse.GetValue(input)!, CsvInput.ParseEncoding(parse.GetValue(encoding)), ct);
    }));

RootCommand root = new("Score files and run batch jobs on Azure ML Studio (classic) web services; score files on managed online endpoints (score --online).\n\n"
    + "Keys are read from environment variables (AZUREML__APIKEY, AZUREML__ONLINE__PRIMARYKEY, AZUREML__GATEWAY__PRIMARYKEY, AZUREML__STORAGECONNECTIONSTRING) "
    + "or user secrets (AzureMl:ApiKey, AzureMl:Online:PrimaryKey, …), never from the command line.\n\n" + ExitCodes.Help)
{
    score,
    new Command("jobs", "Batch jobs (BES) over blob storage") { submit, start, jobStatus, cancel, run },
};
root.Options.Add(emulator);
root.Options.Add(endpoint);
root.Options.Add(workspace);
root.Options.Add(service);
root.Options.Add(verbose);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"azureml: {error.Message}");
    }

    Console.Error.WriteLine("Run 'azureml --help' for usage.");
    return ExitCodes.UsageError;
}

return await parsed.InvokeAsync();

// Checks the arguments, connects (to the emulator or the configured service, or with online set to an online
// endpoint), runs the command, and maps every failure a user can cause to one message and the exit code the README
// lists; --verbose adds the exception's details.
async Task<int> Run(
    ParseResult parse, bool withStorage, CancellationToken cancellationToken, Func<CliConnection, Task<int>> command, Func<Task>? validate = null,
    (string? ScoringUri, string? Deployment)? online = null)
{
    var details = parse.GetValue(verbose);
    try
    {
        var useEmulator = parse.GetValue(emulator);
        if (useEmulator && parse.CommandResult.Command is { Name: "submit" or "start" or "status" or "cancel" })
        {
            throw new CliException(ExitCodes.UsageError,
                "With --emulator the emulator lives only as long as one command: use 'jobs run --emulator', or start 'dotnet run --project src/AzureMl.Emulator' and point --endpoint at it.");
        }

        // Before anything starts: a bad flag or path fails at once, in the flags' own words.
        if (validate is not null)
        {
            await validate();
        }
        if (useEmulator)
        {
            status.MarkupLine("[grey]Starting the emulator…[/]");
        }

        await using var connection = (online, useEmulator) switch
        {
            ({ } o, true) => await CliConnection.StartOnlineEmulatorAsync(o.Deployment, cancellationToken),
            ({ } o, false) => CliConnection.FromOnlineConfiguration(o.ScoringUri, o.Deployment),
            (null, true) => await CliConnection.StartEmulatorAsync(withStorage, cancellationToken),
            (null, false) => CliConnection.FromConfiguration(
                parse.GetValue(endpoint) is { } e ? new Uri(e, UriKind.RelativeOrAbsolute) : null, parse.GetValue(workspace), parse.GetValue(service)),
        };
        status.MarkupLineInterpolated($"[grey]Using {connection.Description}[/]");
        return await command(connection);
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        return Fail(ExitCodes.Interrupted, "interrupted.", null);
    }
    catch (Exception e)
    {
        var (code, message) = CliErrors.Map(e, online is not null);
        return Fail(code, message, details ? e : null);
    }
}

static int Fail(int code, string message, Exception? details)
{
    Console.Error.WriteLine($"azureml: error: {message}");
    if (details is not null)
    {
        Console.Error.WriteLine(details.ToString());
    }
    else if (code == ExitCodes.ServiceError)
    {
        Console.Error.WriteLine("azureml: run again with --verbose for the details.");
    }

    return code;
}
