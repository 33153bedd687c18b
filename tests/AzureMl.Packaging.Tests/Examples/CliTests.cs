using AzureMl.Emulator;
using AzureMl.Packaging.Tests.Packaging;

namespace AzureMl.Packaging.Tests.Examples;

/// <summary>The command-line tool as a script sees it: exit codes, stdout, and files, against the in-process emulator.</summary>
public sealed class CliTests : IDisposable
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

        var (code, text) = await DotNetCli.RunAsync(_work, Timeout, Cli, "score", input, output, "--emulator", "--batch-size", "2");

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
        text.Should().Contain("Record 2 has 2 fields; the header has 1");
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
}
