using AzureMl.Emulator;
using AzureMl.Packaging.Tests.Packaging;

namespace AzureMl.Packaging.Tests.Examples;

/// <summary>The command-line tool as a script sees it: exit codes, stdout, and files, against the in-process emulator.</summary>
public sealed partial class CliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string _work = Directory.CreateTempSubdirectory("azureml-cli-").FullName;
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "azureml.dll");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Score_WithEmulator_WritesEveryRowScoredAndExitsZero()
    {
        var input = Path.Combine(_work, "in.csv");
        await File.WriteAllLinesAsync(input, ["Col2", "This is a good day", "\"Quoted, with a comma\"", "\"He said \"\"wow\"\"\""]);
        var output = Path.Combine(_work, "out.csv");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, output, "--emulator", "--chunk-size", "2");

        code.Should().Be(0, text);
        var lines = await File.ReadAllLinesAsync(output);
        lines.Should().HaveCount(4);
        lines[0].Should().StartWith("Col2,Col2_HashingFeature.0");
        lines[1].Should().Be("This is a good day," + string.Join(",", new FeatureHashingModel().Hash("This is a good day")));
        lines[2].Should().StartWith("\"Quoted, with a comma\",");
        lines[3].Should().StartWith("\"He said \"\"wow\"\"\",");
        text.Should().Contain("Scored 3 rows");
    }

    [Fact]
    public async Task Score_MissingInput_ExitsThreeWithMessage()
    {
        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", Path.Combine(_work, "missing.csv"), Path.Combine(_work, "out.csv"), "--emulator");

        code.Should().Be(3);
        text.Should().Contain("missing.csv").And.Contain("does not exist");
        File.Exists(Path.Combine(_work, "out.csv")).Should().BeFalse();
    }

    [Fact]
    public async Task Score_RaggedRow_ExitsThreeAndLeavesNoOutput()
    {
        var input = Path.Combine(_work, "ragged.csv");
        await File.WriteAllLinesAsync(input, ["Col2", "fine", "too,many"]);

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, Path.Combine(_work, "out.csv"), "--emulator");

        code.Should().Be(3, text);
        text.Should().Contain("Record 3 (line 3) of 'ragged.csv', counting the header as record 1, is malformed: it has 2 fields, but the header row has 1");
        Directory.GetFiles(_work).Should().ContainSingle("neither the output nor a partial file is left");
    }

    [Fact]
    public async Task Commands_WithoutConfiguration_ExitTwoNamingTheSetting()
    {
        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "jobs", "status", "0123");
        var (usage, usageText) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score");

        code.Should().Be(2);
        text.Should().Contain("AZUREML__ENDPOINT");
        usage.Should().Be(2);
        usageText.Should().Contain("azureml --help");
    }

    private static readonly Dictionary<string, string> NoConfiguration = new()
    {
        ["AZUREML__ENDPOINT"] = "", ["AZUREML__WORKSPACEID"] = "", ["AZUREML__SERVICEID"] = "", ["AZUREML__APIKEY"] = "", ["AZUREML__STORAGECONNECTIONSTRING"] = "",
        ["AZUREML__GATEWAY__PRIMARYKEY"] = "", ["AZUREML__ONLINE__SCORINGURI"] = "", ["AZUREML__ONLINE__PRIMARYKEY"] = "", ["AZUREML__ONLINE__DEPLOYMENT"] = "",
    };

    private static Dictionary<string, string> Service(string endpoint, string? storage = null) => new(NoConfiguration)
    {
        ["AZUREML__ENDPOINT"] = endpoint, ["AZUREML__WORKSPACEID"] = "w", ["AZUREML__SERVICEID"] = "s", ["AZUREML__STORAGECONNECTIONSTRING"] = storage ?? "",
    };

    private string Write(string name, string text)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Score_ServiceNotAnswering_ExitsOneWithOneMessageAndNoStackTrace()
    {
        var input = Write("in.csv", "Col2\nfine\n");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Service("http://127.0.0.1:9/"), Cli, "score", input, Path.Combine(_work, "out.csv"));

        code.Should().Be(1, text);
        text.Should().Contain("azureml: error: Scoring stopped: records 2 to 2 failed").And.Contain("Connection refused");
        text.Should().NotContain("   at ").And.NotContain("Unhandled exception");
    }

    [Fact]
    public async Task JobsRun_GarbageStorageConnectionString_ExitsTwoWithoutEchoingIt()
    {
        var input = Write("in.csv", "Col2\nfine\n");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Service("http://127.0.0.1:9/", "not-a-secret-but-garbage"), Cli, "jobs", "run", input);

        code.Should().Be(2, text);
        text.Should().Contain("AZUREML__STORAGECONNECTIONSTRING is not a storage connection string").And.NotContain("not-a-secret-but-garbage");
        text.Should().NotContain("   at ").And.NotContain("Unhandled exception");
    }

    [Theory]
    [InlineData("abc ", "must not contain spaces")]
    [InlineData("", "is required")]
    [InlineData("..", "must not contain '..'")]
    public async Task JobsStatus_BadJobId_ExitsTwoNamingTheProblem(string id, string problem)
    {
        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Service("http://127.0.0.1:9/"), Cli, "jobs", "status", id);

        code.Should().Be(2, text);
        text.Should().Contain("The job id " + problem);
        text.Should().NotContain("   at ");
    }

    [Fact]
    public async Task JobsStatusWait_NotStartedJob_HintsJobsStartAndCtrlCExitsWith130()
    {
        using var server = WireMock.Server.WireMockServer.Start();
        server.Given(WireMock.RequestBuilders.Request.Create().UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"StatusCode":"NotStarted","Results":null,"Details":null}"""));
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = _work };
        foreach (var argument in new[] { Cli, "jobs", "status", "job42", "--wait" })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Service(server.Url!))
        {
            if (value.Length == 0)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var hint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var text = new System.Text.StringBuilder();
        using var process = new System.Diagnostics.Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (text)
            {
                text.AppendLine(e.Data);
            }

            if (e.Data?.Contains("has not been started", StringComparison.Ordinal) == true)
            {
                hint.TrySetResult(e.Data);
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            lock (text)
            {
                text.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            (await hint.Task.WaitAsync(Timeout)).Should().Contain("run 'azureml jobs start job42'");

            // Ctrl+C, as a person stops the wait.
            using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(Timeout);
            process.ExitCode.Should().Be(130, text.ToString());
            text.ToString().Should().Contain("interrupted").And.NotContain("   at ");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task JobsRun_StorageNotAnswering_FailsWithinSecondsNamingIt()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var input = Write("in.csv", "Col2\nfine\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Service("http://127.0.0.1:9/", storage), Cli, "jobs", "run", input);

        code.Should().Be(1, text);
        text.Should().Contain("Blob storage did not answer").And.NotContain("   at ");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "storage that does not answer fails within seconds (it took 23 s of silent retries before)");
    }

    [Fact]
    public async Task Score_In80ColumnTerminal_ProgressBarFitsOnOneLine()
    {
        // A real terminal (a pseudo-terminal from util-linux's script, 80 columns), as a person sees the bar.
        var input = Write("in.csv", "Col2\n" + string.Concat(Enumerable.Range(1, 300).Select(i => $"This is review number {i} and it was a good day\n")));
        var command = $"stty cols 80 rows 24; dotnet '{Cli}' score '{input}' '{Path.Combine(_work, "out.csv")}' --emulator --chunk-size 10";

        var (code, screen) = await RunAsync("script", Timeout, new Dictionary<string, string> { ["TERM"] = "xterm" }, "-q", "-e", "-c", command, "/dev/null");

        code.Should().Be(0, screen);
        var visible = AnsiSequence().Replace(screen, string.Empty);
        var lines = visible.Split('\r', '\n');
        lines.Should().Contain(
            l => l.Contains("100%", StringComparison.Ordinal) && l.Contains('━') && l.Contains("rows", StringComparison.Ordinal),
            "the description, the bar and its 100% stay on one line");
        lines.Where(l => l.Length > 80).Should().BeEmpty("nothing is wider than the terminal, so the bar never wraps");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")]
    private static partial System.Text.RegularExpressions.Regex AnsiSequence();

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task JobsStatus_Verbose_AddsTheDetailsAfterTheSameMessage()
    {
        var (quietCode, quiet) = await DotNetCli.RunAsync(_work, Timeout, Service("http://127.0.0.1:9/"), Cli, "jobs", "status", "abc ");
        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Service("http://127.0.0.1:9/"), Cli, "jobs", "status", "abc ", "--verbose");

        code.Should().Be(quietCode).And.Be(2, text);
        text.Should().Contain("The job id must not contain spaces").And.Contain("   at ", "--verbose adds the stack trace");
        quiet.Should().NotContain("   at ");
    }

    [Fact]
    public async Task Score_BadConcurrency_NamesTheFlagBeforeTheEmulatorStarts()
    {
        var input = Write("in.csv", "Col2\nfine\n");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, Path.Combine(_work, "out.csv"), "--emulator", "--concurrency", "0");

        code.Should().Be(2, text);
        text.Should().Contain("--concurrency must be between 1 and 200").And.NotContain("MaxConcurrency").And.NotContain("Starting the emulator");
    }

    [Theory]
    [InlineData("Col2\nfine\n\"open\n", "Record 3 (line 3) of 'bad.csv', counting the header as record 1, is malformed: a quoted field is not closed")]
    [InlineData("Col2\n\"two\nlines\"\ntoo,many\n", "Record 3 (line 4) of 'bad.csv', counting the header as record 1, is malformed: it has 2 fields")]
    [InlineData("", "The input file 'bad.csv' is empty")]
    public async Task ScoreAndJobsRun_SameBadCsv_SameMessageExitThreeBeforeAnythingStarts(string csv, string message)
    {
        var input = Write("bad.csv", csv);

        var (score, scoreText) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, Path.Combine(_work, "out.csv"), "--emulator");
        var (run, runText) = await DotNetCli.RunAsync(_work, Timeout, Cli, "jobs", "run", input, "--emulator");

        score.Should().Be(3, scoreText);
        run.Should().Be(3, runText);
        scoreText.Should().Contain(message).And.NotContain("Starting the emulator");
        runText.Should().Contain(message).And.NotContain("Starting the emulator");
    }

    [Fact]
    public async Task Score_ContinueOnError_ReportsEachFailedRangeAndWritesFailedRows()
    {
        // A column the service does not have: every call is refused, a real service error for each batch.
        var input = Write("in.csv", "Wrong\nfirst\n\"second,\nspanning\"\n");
        var failed = Path.Combine(_work, "failed.csv");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, Path.Combine(_work, "out.csv"), "--emulator",
            "--chunk-size", "1", "--continue-on-error", "--failed-rows", failed);

        code.Should().Be(4, text);
        text.Should().Contain("azureml: record 2 (line 2) failed: 400 ").And.Contain("azureml: record 3 (line 3) failed: 400 ");
        text.Should().Contain("2 rows in 2 ranges failed");
        (await File.ReadAllTextAsync(failed)).Should().Be("Wrong\r\nfirst\r\n\"second,\nspanning\"\r\n");
    }

    [Fact]
    public async Task Score_OutputPaths_RefusedBeforeScoring()
    {
        var input = Write("in.csv", "Col2\nfine\n");

        var (same, sameText) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, input, "--emulator");
        var (missing, missingText) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, Path.Combine(_work, "nowhere", "out.csv"), "--emulator");

        same.Should().Be(2, sameText);
        sameText.Should().Contain("is the input file");
        (await File.ReadAllTextAsync(input)).Should().Be("Col2\nfine\n");
        missing.Should().Be(2, missingText);
        missingText.Should().Contain($"The directory '{Path.Combine(_work, "nowhere")}' for the output does not exist").And.NotContain(".partial");
    }

    [Fact]
    public async Task Score_HeaderOnly_WritesHeaderOnlyOutputWithCrLf()
    {
        var input = Write("in.csv", "Col2\n");
        var output = Path.Combine(_work, "out.csv");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, output, "--emulator");

        code.Should().Be(0, text);
        (await File.ReadAllTextAsync(output)).Should().Be("Col2\r\n");
    }

    [Fact]
    public async Task Score_Latin1Input_RefusedWithByteOffsetUnlessEncodingGiven()
    {
        var input = Path.Combine(_work, "latin.csv");
        await File.WriteAllBytesAsync(input, [.. "Col2\ncaf"u8, 0xE9, (byte)'\n']);
        var output = Path.Combine(_work, "out.csv");

        var (refused, refusedText) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, output, "--emulator");
        var (read, readText) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, output, "--emulator", "--encoding", "latin1");

        refused.Should().Be(3, refusedText);
        refusedText.Should().Contain("is not UTF-8: byte offset 8 (0xE9)");
        read.Should().Be(0, readText);
        (await File.ReadAllLinesAsync(output))[1].Should().StartWith("café,");
    }

    [Fact]
    public async Task JobsRun_JobFails_ExitsFiveWithoutATerminalPrintingEachLineOnce()
    {
        var input = Write("in.csv", "Wrong\nfine\n");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "jobs", "run", input, "--emulator");

        code.Should().Be(5, text);
        text.Should().Contain("has no column 'Col2'").And.NotContain("   at ");
        text.Split('\n').Where(l => l.Contains("Submitted job", StringComparison.Ordinal)).Should().ContainSingle(text);
        text.Split('\n').Select(l => l.Trim()).Should().NotContain("Uploading");
    }

    [Fact]
    public async Task ScoreOnline_WithEmulator_WritesTheFeatureColumnsLikeTheClassicService()
    {
        var input = Write("in.csv", "Col2\nThis is a good day\n\"Quoted, with a comma\"\nthird\n");
        var output = Path.Combine(_work, "out.csv");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, NoConfiguration, Cli, "score", input, output, "--emulator", "--online", "--chunk-size", "2");

        code.Should().Be(0, text);
        text.Should().Contain("online endpoint").And.Contain("Scored 3 rows");
        var lines = await File.ReadAllLinesAsync(output);
        lines.Should().HaveCount(4);
        lines[0].Should().Be("Col2," + string.Join(",", Enumerable.Range(0, 8).Select(i => $"Col2_HashingFeature.{i}")));
        lines[1].Should().Be("This is a good day,1,1,2,2,0,2,0,1");
        lines[2].Should().Be("\"Quoted, with a comma\"," + string.Join(",", new FeatureHashingModel().Hash("Quoted, with a comma")));
        lines[3].Should().StartWith("third,");
    }

    [Fact]
    public async Task ScoreOnline_MissingScoringUriOrKey_ExitsTwoNamingTheSetting()
    {
        var input = Write("in.csv", "Col2\nfine\n");
        var output = Path.Combine(_work, "out.csv");
        var withUri = new Dictionary<string, string>(NoConfiguration) { ["AZUREML__ONLINE__SCORINGURI"] = "https://my-endpoint.westeurope.inference.ml.azure.com/score" };

        var (noUri, noUriText) = await DotNetCli.RunAsync(_work, Timeout, NoConfiguration, Cli, "score", input, output, "--online");
        var (noKey, noKeyText) = await DotNetCli.RunAsync(_work, Timeout, withUri, Cli, "score", input, output, "--online");
        var (forgot, forgotText) = await DotNetCli.RunAsync(_work, Timeout, withUri, Cli, "score", input, output);

        noUri.Should().Be(2, noUriText);
        noUriText.Should().Contain("AzureMl:Online:ScoringUri is not set: pass --scoring-uri or set AZUREML__ONLINE__SCORINGURI").And.NotContain("   at ");
        noKey.Should().Be(2, noKeyText);
        noKeyText.Should().Contain("No key for the online endpoint: set AZUREML__ONLINE__PRIMARYKEY");
        forgot.Should().Be(2, forgotText);
        forgotText.Should().Contain("AZUREML__ONLINE__SCORINGURI is set: to score against that online endpoint, add --online.");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public async Task ScoreOnline_BadDeploymentName_ExitsTwoBeforeTheEmulatorStarts()
    {
        var input = Write("in.csv", "Col2\nfine\n");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, NoConfiguration, Cli, "score", input, Path.Combine(_work, "out.csv"), "--emulator", "--deployment", "9lives");

        code.Should().Be(2, text);
        text.Should().Contain("--deployment '9lives' is not a deployment name the endpoint accepts").And.NotContain("Starting the emulator");
    }

    [Fact]
    public async Task ScoreOnline_UnknownDeploymentWithContinueOnError_ReportsTheRangeNamingTheFlagAndWritesFailedRows()
    {
        var input = Write("in.csv", "Col2\nfirst\nsecond\n");
        var failed = Path.Combine(_work, "failed.csv");

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, NoConfiguration, Cli, "score", input, Path.Combine(_work, "out.csv"),
            "--emulator", "--deployment", "green", "--chunk-size", "1", "--continue-on-error", "--failed-rows", failed);

        code.Should().Be(4, text);
        text.Should().Contain("azureml: record 2 (line 2) failed: 404: The endpoint 'feature-hashing' has no deployment 'green'")
            .And.Contain("azureml: record 3 (line 3) failed: 404: ")
            .And.Contain("--deployment (or AZUREML__ONLINE__DEPLOYMENT)")
            .And.Contain("2 rows in 2 ranges failed");
        (await File.ReadAllTextAsync(failed)).Should().Be("Col2\r\nfirst\r\nsecond\r\n");
    }

    [Theory]
    [InlineData(true, """[["a",1.5,true,"007"],["b",null,false,"12"],["c",-3,null,"x"]]""")]
    [InlineData(false, """[["a","1.5","true","007"],["b","","FALSE","12"],["c","-3","","x"]]""")]
    public async Task ScoreOnline_Typed_SendsAllNumericColumnsAsNumbersElseText(bool typed, string data)
    {
        using var server = WireMock.Server.WireMockServer.Start();
        server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/score").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[0, 1, 0]"));
        var input = Write("in.csv", "Name,Price,Flag,Code\na,1.5,true,007\nb,,FALSE,12\nc,-3,,x\n");
        var output = Path.Combine(_work, "out.csv");
        var environment = new Dictionary<string, string>(NoConfiguration) { ["AZUREML__ONLINE__PRIMARYKEY"] = "online-key-not-printed" };
        string[] arguments = ["score", input, output, "--scoring-uri", server.Url + "/score", .. typed ? new[] { "--typed" } : []];

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, environment, [Cli, .. arguments]);

        code.Should().Be(0, text);
        text.Should().NotContain("online-key-not-printed");
        if (typed)
        {
            // Status lines wrap at 80 columns without a terminal.
            text.ReplaceLineEndings(" ").Should().Contain("--typed: sending Price as numbers; Flag as booleans (empty cells as null); other columns as text.");
        }

        var request = server.LogEntries.Should().ContainSingle().Subject.RequestMessage;
        request.Headers!["Authorization"].Should().Equal("Bearer online-key-not-printed");
        using var body = System.Text.Json.JsonDocument.Parse(request.Body!);
        var inputData = body.RootElement.GetProperty("input_data");
        inputData.GetProperty("columns").GetRawText().Should().Be("""["Name","Price","Flag","Code"]""");
        inputData.GetProperty("data").GetRawText().Should().Be(data);
        (await File.ReadAllTextAsync(output)).Should().Be("prediction\r\n0\r\n1\r\n0\r\n");
    }
}
