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

    [Theory]
    [InlineData("--unknown")]
    [InlineData("--port")]
    [InlineData("--port", "x")]
    [InlineData("--rate-limit", "100")]
    [InlineData("--model", "other")]
    [InlineData("--bits", "40")]
    [InlineData("--subscription-key", "k1")]
    public void Parse_BadArguments_FormatException(params string[] args)
    {
        var act = () => CommandLine.Parse(args);

        act.Should().Throw<FormatException>();
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
            "--secondary-subscription-key", "my-own-k2", "--storage", fixture.ConnectionString]).Options;
        await using var emulator = await AzureMlEmulator.StartAsync(options);

        var text = Program.Describe(emulator, options);

        text.Should().NotContain("my-own-ml-key").And.NotContain("my-own-k1").And.NotContain("my-own-k2");
        text.Should().Contain("(the value given with --api-key)").And.Contain("(the value given with --subscription-key)");
        text.Should().Contain("export AZUREML__APIKEY='<the value given with --api-key>'")
            .And.Contain("export AZUREML__GATEWAY__PRIMARYKEY='<the value given with --subscription-key>'");
    }
}
