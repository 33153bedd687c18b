using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace AzureMl.Packaging.Tests.Readme;

/// <summary>
/// README.md, "Batch jobs → Step by step", from a shell: the transcript is read from the README, the emulator program
/// is started with the README's arguments, its export lines are applied, and each <c>azureml jobs …</c> command runs as
/// a process whose output must match the README's (ports, ids and run folders vary).
/// </summary>
public sealed partial class ReadmeJobsTranscriptTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task StepByStepTranscript_ReplayedAgainstTheEmulatorProgram_PrintsWhatTheReadmeShows()
    {
        var blocks = ReadmeFile.Blocks("Batch jobs/Step by step", "console");
        blocks.Should().HaveCount(2, "one block for the emulator's terminal, one for the commands");
        var (emulatorCommand, emulatorOutput) = Transcript(blocks[0]).Should().ContainSingle().Subject;
        const string Run = "dotnet run --project src/AzureMl.Emulator --";
        emulatorCommand.Should().StartWith(Run);

        using var emulator = Start(
            Path.Combine(AppContext.BaseDirectory, "AzureMl.Emulator.dll"),
            emulatorCommand[Run.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            environment: new Dictionary<string, string>());
        try
        {
            var printed = await ReadUntilAsync(emulator, "Press Ctrl+C to stop.");
            Normalize(printed).Should().Be(Normalize(emulatorOutput));

            var exports = ExportLine().Matches(printed).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Replace("'\\''", "'", StringComparison.Ordinal));
            exports.Keys.Should().Contain(["AZUREML__ENDPOINT", "AZUREML__APIKEY", "AZUREML__GATEWAY__PRIMARYKEY", "AZUREML__STORAGECONNECTIONSTRING"]);

            string? readmeJobId = null, jobId = null;
            foreach (var (command, expected) in Transcript(blocks[1]))
            {
                if (command.StartsWith("export ", StringComparison.Ordinal))
                {
                    // "Paste the export lines printed above": the emulator's own lines, with this run's ports.
                    exports.Keys.Should().Contain(ExportLine().Match(command).Groups[1].Value);
                    continue;
                }

                command.Should().StartWith("azureml jobs ");
                var arguments = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                    .Select(a => a == readmeJobId && jobId is not null ? jobId : a).ToArray();
                var (code, stdout, stderr) = await RunAsync(Path.Combine(AppContext.BaseDirectory, "azureml.dll"), arguments, exports);

                code.Should().Be(0, $"'{command}' failed: {stderr}");
                if (arguments[1] == "submit")
                {
                    jobId = stdout.Trim();
                    readmeJobId = expected.Trim();
                }

                Normalize(stdout).Should().Be(Normalize(expected), $"'{command}' prints what the README shows");
            }

            jobId.Should().NotBeNull("the transcript submits a job");
        }
        finally
        {
            emulator.Kill(entireProcessTree: true);
            await emulator.WaitForExitAsync();
        }
    }

    /// <summary>The "$ command" lines of a console block, each with the output lines that follow it.</summary>
    private static List<(string Command, string Output)> Transcript(string block)
    {
        var steps = new List<(string Command, StringBuilder Output)>();
        foreach (var line in block.Split('\n'))
        {
            if (line.StartsWith("$ ", StringComparison.Ordinal))
            {
                var command = line[2..];
                var comment = command.IndexOf("   #", StringComparison.Ordinal);
                steps.Add(((comment < 0 ? command : command[..comment]).Trim(), new StringBuilder()));
            }
            else
            {
                steps[^1].Output.Append(line).Append('\n');
            }
        }

        return steps.Select(s => (s.Command, s.Output.ToString())).ToList();
    }

    // What varies between runs: ports, 32-hex ids (job ids, run folders), and trailing blank lines.
    private static string Normalize(string text) =>
        Hex32().Replace(Port().Replace(text.ReplaceLineEndings("\n"), "127.0.0.1:<port>"), "<id>").TrimEnd('\n');

    private static Process Start(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Only what the README applies: no AZUREML__ settings of the machine running the tests.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("AZUREML__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }

    private static async Task<string> ReadUntilAsync(Process process, string lastLine)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var text = new StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            text.Append(line).Append('\n');
            if (line == lastLine)
            {
                return text.ToString();
            }
        }

        throw new InvalidOperationException($"The emulator ended before '{lastLine}': {text}{await process.StandardError.ReadToEndAsync()}");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string dll, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        using var process = Start(dll, arguments, environment);
        using var cancel = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var stderr = process.StandardError.ReadToEndAsync(cancel.Token);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex(@"^export (AZUREML__[A-Z_]+)='((?:[^']|'\\'')*)'", RegexOptions.Multiline)]
    private static partial Regex ExportLine();

    [GeneratedRegex(@"\b[0-9a-f]{32}\b")]
    private static partial Regex Hex32();

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex Port();
}
