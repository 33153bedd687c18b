namespace AzureMl.Emulator.Tests.Hosting;

public class CommandLineTests
{
    [Fact]
    public void Parse_NoArguments_Defaults()
    {
        var command = CommandLine.Parse([]);

        command.ShowHelp.Should().BeFalse();
        command.Options.Port.Should().Be(0);
        command.Options.Gateway.Should().BeNull();
        command.Options.StorageConnectionString.Should().BeNull();
        command.Options.Model.Should().BeOfType<FeatureHashingModel>().Which.Bits.Should().Be(3);
    }

    [Fact]
    public void Parse_EveryOption_Applied()
    {
        var command = CommandLine.Parse([
            "--port", "5000", "--api-key", "k", "--workspace", "aaaa", "--service", "bbbb", "--model", "feature-hashing",
            "--bits", "4", "--ngrams", "3", "--columns", "A,B", "--gateway-suffix", "azureml-demo", "--subscription-key", "k1",
            "--secondary-subscription-key", "k2", "--rate-limit", "100/60", "--quota", "1000/3600", "--inject-api-key",
            "--max-concurrent-requests", "5", "--max-concurrent-jobs", "6", "--max-request-bytes", "1024", "--storage", "UseDevelopmentStorage=true",
        ]);

        var options = command.Options;
        options.Port.Should().Be(5000);
        options.ApiKey.Should().Be("k");
        options.WorkspaceId.Should().Be("aaaa");
        options.ServiceId.Should().Be("bbbb");
        options.MaxConcurrentRequests.Should().Be(5);
        options.MaxConcurrentJobs.Should().Be(6);
        options.MaxRequestBytes.Should().Be(1024);
        options.StorageConnectionString.Should().Be("UseDevelopmentStorage=true");
        var model = options.Model.Should().BeOfType<FeatureHashingModel>().Subject;
        model.Bits.Should().Be(4);
        model.NGrams.Should().Be(3);
        model.Columns.Should().Equal("A", "B");
        var gateway = options.Gateway!;
        gateway.Suffix.Should().Be("azureml-demo");
        gateway.PrimaryKey.Should().Be("k1");
        gateway.SecondaryKey.Should().Be("k2");
        gateway.RateLimitCalls.Should().Be(100);
        gateway.RateLimitPeriod.Should().Be(TimeSpan.FromSeconds(60));
        gateway.QuotaCalls.Should().Be(1000);
        gateway.QuotaPeriod.Should().Be(TimeSpan.FromHours(1));
        gateway.InjectApiKey.Should().BeTrue();
    }

    [Fact]
    public void Parse_Help_ShowsHelpListingOptions()
    {
        CommandLine.Parse(["--help"]).ShowHelp.Should().BeTrue();
        CommandLine.Help.Should().Contain("--gateway-suffix").And.Contain("--rate-limit").And.Contain("--storage");
    }

    [Fact]
    public void Parse_OnlineOptions_Applied()
    {
        var options = CommandLine.Parse([
            "--online-endpoint", "my-ep", "--online-deployment", "green", "--online-primary-key", "p1", "--online-secondary-key", "p2",
            "--online-max-concurrent-requests", "3", "--online-instance-count", "2", "--online-request-timeout", "9", "--bits", "4",
        ]).Options;

        var endpoint = options.OnlineEndpoints.Should().ContainSingle().Subject;
        endpoint.Name.Should().Be("my-ep");
        endpoint.PrimaryKey.Should().Be("p1");
        endpoint.SecondaryKey.Should().Be("p2");
        var deployment = endpoint.Deployments.Should().ContainSingle().Subject;
        deployment.Name.Should().Be("green");
        deployment.TrafficPercent.Should().Be(100);
        deployment.MaxConcurrentRequestsPerInstance.Should().Be(3);
        deployment.InstanceCount.Should().Be(2);
        deployment.RequestTimeout.Should().Be(TimeSpan.FromSeconds(9));
        deployment.Model.Should().BeOfType<FeatureHashingModel>().Which.Bits.Should().Be(4);
    }

    [Fact]
    public void Parse_NoOnlineEndpoints_ServesNone()
    {
        CommandLine.Parse(["--no-online-endpoints"]).Options.OnlineEndpoints.Should().BeEmpty();
        CommandLine.Parse([]).Options.OnlineEndpoints.Should().ContainSingle().Which.Name.Should().Be("feature-hashing");
        CommandLine.Help.Should().Contain("--no-online-endpoints").And.Contain("--online-request-timeout").And.Contain("--online-primary-key").And.Contain("--online-max-concurrent-requests");
    }

    [Theory]
    [InlineData("The --online-* options conflict with --no-online-endpoints.", "--no-online-endpoints", "--online-primary-key", "k")]
    [InlineData("'x' for option '--online-request-timeout'", "--online-request-timeout", "x")]
    [InlineData("9bad", "--online-endpoint", "9bad")]
    [InlineData("'--unknown'", "--unknown")]
    [InlineData("'--port'", "--port")]
    [InlineData("'x' for option '--port'", "--port", "x")]
    [InlineData("The option --rate-limit needs <calls>/<seconds>, such as 100/60, not '100'.", "--gateway-suffix", "g", "--rate-limit", "100")]
    [InlineData("Unknown model 'other'", "--model", "other")]
    [InlineData("40", "--bits", "40")]
    [InlineData("The gateway options need --gateway-suffix.", "--subscription-key", "k1")]
    public void Parse_BadArguments_FormatExceptionSaysWhatToFix(string message, params string[] args)
    {
        var act = () => CommandLine.Parse(args);

        act.Should().Throw<FormatException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public async Task RunAsync_Help_ListsEveryFlagWithItsDescription()
    {
        string[] flags =
        [
            "--port", "--api-key", "--workspace", "--service", "--model", "--bits", "--ngrams", "--columns", "--max-concurrent-requests",
            "--max-request-bytes", "--max-concurrent-jobs", "--gateway-suffix", "--subscription-key", "--secondary-subscription-key",
            "--subscription-key-header", "--rate-limit", "--quota", "--inject-api-key", "--storage", "--no-online-endpoints", "--online-endpoint",
            "--online-deployment", "--online-primary-key", "--online-secondary-key", "--online-max-concurrent-requests", "--online-instance-count",
            "--online-request-timeout", "--help",
        ];
        var (code, output, error) = await RunAsync("--help");

        code.Should().Be(0);
        error.Should().BeEmpty();
        var lines = output.Split('\n');
        foreach (var flag in flags)
        {
            // The flag (with its value's name), at least two spaces, then its description.
            lines.Should().ContainSingle(line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^\s+(-\S+, )*{flag}( <[^>]+>)?\s{{2,}}\w"), $"the help lists {flag} with a description");
        }

        output.Should().Contain("--bits <n>").And.Contain("[default: 3]").And.Contain("[default: feature-hashing]");
    }

    [Fact]
    public async Task RunAsync_BadValue_SaysWhichFlagAndExitsWithUsageError()
    {
        var (code, output, error) = await RunAsync("--max-concurrent-jobs", "many");

        code.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Contain("'many'").And.Contain("--max-concurrent-jobs").And.Contain("Run with --help");
    }

    [Fact]
    public async Task RunAsync_UnknownFlag_NamesItAndExitsWithUsageError()
    {
        var (code, _, error) = await RunAsync("--prot", "5000");

        code.Should().Be(2);
        error.Should().Contain("'--prot'");
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Program.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}

[Collection(EmulatorCollection.Name)]
public sealed class ProgramTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Describe_GatewayEmulator_PrintsAddressesKeysAndNoAccountKey()
    {
        var options = CommandLine.Parse(["--gateway-suffix", "azureml-demo", "--rate-limit", "10/60", "--storage", fixture.ConnectionString]).Options;
        await using var emulator = await AzureMlEmulator.StartAsync(options);

        var text = Program.Describe(emulator, options);

        text.Should().Contain(emulator.ServiceUri + "/execute").And.Contain(emulator.PrimarySubscriptionKey!).And.Contain(emulator.ApiKey).And.Contain(emulator.ServiceId);
    }

    [Fact]
    public async Task Describe_AzuriteStorage_PrintsExportsWithThePublicDevelopmentKey()
    {
        var options = CommandLine.Parse(["--gateway-suffix", "azureml-demo", "--storage", fixture.ConnectionString]).Options;
        await using var emulator = await AzureMlEmulator.StartAsync(options);

        var text = Program.Describe(emulator, options);

        text.Should().Contain($"""
            export AZUREML__ENDPOINT='{emulator.ServiceRoot}'
            export AZUREML__WORKSPACEID='{emulator.WorkspaceId}'
            export AZUREML__SERVICEID='{emulator.ServiceId}'
            export AZUREML__APIKEY='{emulator.ApiKey}'
            export AZUREML__GATEWAY__PRIMARYKEY='{emulator.PrimarySubscriptionKey}'
            export AZUREML__STORAGECONNECTIONSTRING='{emulator.StorageConnectionString}'
            """.ReplaceLineEndings());
        emulator.StorageConnectionString.Should().Contain("AccountKey=" + AzuriteInstance.AccountKey, "Azurite's key is public by design");
    }

    [Fact]
    public async Task Describe_StorageWithAnotherKey_KeepsTheKeyOutOfTheExports()
    {
        var storage = fixture.ConnectionString.Replace(AzuriteInstance.AccountKey, "bXktb3duLXN0b3JhZ2Uta2V5", StringComparison.Ordinal);
        var options = CommandLine.Parse(["--storage", storage]).Options;
        await using var emulator = await AzureMlEmulator.StartAsync(options);

        var text = Program.Describe(emulator, options);

        text.Should().NotContain("bXktb3duLXN0b3JhZ2Uta2V5").And.Contain("AccountKey=<the account key>'");
    }

    [Fact]
    public async Task Describe_KeysGivenByTheUser_NeverEchoed()
    {
        var options = CommandLine.Parse(["--api-key", "my-own-ml-key", "--gateway-suffix", "azureml-demo", "--subscription-key", "my-own-k1",
            "--secondary-subscription-key", "my-own-k2", "--online-primary-key", "my-own-online-1", "--online-secondary-key", "my-own-online-2", "--storage", fixture.ConnectionString]).Options;
        await using var emulator = await AzureMlEmulator.StartAsync(options);

        var text = Program.Describe(emulator, options);

        text.Should().NotContain("my-own-ml-key").And.NotContain("my-own-k1").And.NotContain("my-own-k2").And.NotContain("my-own-online");
        text.Should().Contain("(the value given with --api-key)").And.Contain("(the value given with --subscription-key)");
        text.Should().Contain("export AZUREML__APIKEY='<the value given with --api-key>'")
            .And.Contain("export AZUREML__GATEWAY__PRIMARYKEY='<the value given with --subscription-key>'")
            .And.Contain("export AZUREML__ONLINE__PRIMARYKEY='<the value given with --online-primary-key>'");
    }

    [Fact]
    public async Task Describe_DefaultOnlineEndpoint_PrintsScoringUriAndDemoKeys()
    {
        var options = CommandLine.Parse(["--gateway-suffix", "azureml-demo", "--storage", fixture.ConnectionString]).Options;
        await using var emulator = await AzureMlEmulator.StartAsync(options);

        var text = Program.Describe(emulator, options);

        text.Should().Contain("POST " + emulator.OnlineScoringUri).And.Contain("/azureml-demo/onlineEndpoints/feature-hashing/score")
            .And.Contain(EmulatedOnlineEndpoint.DefaultPrimaryKey).And.Contain(EmulatedOnlineEndpoint.DefaultSecondaryKey)
            .And.Contain($"export AZUREML__ONLINE__SCORINGURI='{emulator.OnlineScoringUri}'");
    }
}
