using AzureMl.Emulator;
using AzureMl.Packaging.Tests.Packaging;

namespace AzureMl.Packaging.Tests.Examples;

/// <summary>Runs the worker example for two rounds against its emulators and reads its log.</summary>
public sealed class WorkerServiceTests
{
    [Fact]
    public async Task Worker_WithEmulator_ScoresWithBothKeyedClientsAndLogsSpans()
    {
        // Same configuration as this test assembly: .../bin/{Configuration}/net10.0/
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var folder = Path.Combine(RepositoryRoot.Path, "examples", "WorkerService", "bin", configuration, "net10.0");

        var (code, log) = await DotNetCli.RunAsync(
            folder, TimeSpan.FromMinutes(2), Path.Combine(folder, "WorkerService.dll"),
            "--emulator", "--Scoring:MaxRuns=2", "--Scoring:Interval=00:00:00.200");

        code.Should().Be(0, log);
        var features = string.Join(", ", new FeatureHashingModel().Hash("This is a good day"));
        log.Should().Contain($"Round 2: direct scored [{features}]").And.Contain($"Round 2: gateway scored [{features}]");
        log.Should().Contain("span 'azureml execute'").And.Contain("Scored 2 rounds; stopping");
        log.Should().NotContain("subscription-").And.NotContain("gateway-").And.NotContain("direct-", "keys are never logged");
    }
}
