namespace AzureMl.Emulator.Tests.Hosting;

/// <summary>
/// The emulator's options follow the client's validation idiom: <c>Validate()</c> lists every problem, nested settings
/// named by their path, and <see cref="AzureMlEmulator.StartAsync"/> refuses them all at once before starting anything.
/// </summary>
public sealed class EmulatorOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreUsable()
    {
        new AzureMlEmulatorOptions().Validate().Should().BeEmpty();
        new AzureMlEmulatorOptions { Gateway = new EmulatorGatewayOptions() }.Validate().Should().BeEmpty();
    }

    [Fact]
    public void Validate_NestedProblems_NameThePathAndTheRange()
    {
        var options = new AzureMlEmulatorOptions
        {
            Port = 70_000,
            WorkspaceId = "ws/1",
            ExecutionTimeout = TimeSpan.Zero,
            Gateway = new EmulatorGatewayOptions { Suffix = "?", RateLimitPeriod = TimeSpan.Zero, QuotaCalls = 0 },
        };
        options.Azurite.StartTimeout = TimeSpan.Zero;
        var blue = options.OnlineEndpoints[0].Deployments[0];
        blue.TrafficPercent = 101;
        blue.InstanceCount = 0;
        blue.RequestTimeout = TimeSpan.FromMinutes(4);

        options.Validate().Should().BeEquivalentTo(
            "Port must be between 0 and 65535.",
            "ExecutionTimeout must be positive, or null for no limit.",
            "WorkspaceId 'ws/1' may hold only letters, digits, '-' and '_'.",
            "OnlineEndpoints['feature-hashing'].Deployments['blue'].TrafficPercent must be between 0 and 100.",
            "OnlineEndpoints['feature-hashing'].Deployments['blue'].InstanceCount must be between 1 and 50.",
            "OnlineEndpoints['feature-hashing'].Deployments['blue'].RequestTimeout must be between 00:00:00 exclusive and 00:03:00.",
            "OnlineEndpoints['feature-hashing'].Deployments of endpoint 'feature-hashing' take 101% of its traffic; set their TrafficPercent to add up to at most 100.",
            "Gateway.QuotaCalls must allow at least one call, or be null for no quota.",
            "Gateway.RateLimitPeriod must be between 00:00:01 and 00:05:00.",
            "Gateway.Suffix must be a URL path such as 'azureml-demo'.",
            "Azurite.StartTimeout must be between 00:00:00 exclusive and 1.00:00:00.");
    }

    [Fact]
    public void Validate_WithConnectionString_IgnoresAzuriteSettings()
    {
        var options = new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" };
        options.Azurite.NodeExecutable = "";

        options.Validate().Should().BeEmpty();
        options.StorageConnectionString = null;
        options.Validate().Should().Equal("Azurite.NodeExecutable is required: node, or the path of the Node.js executable.");
    }

    [Fact]
    public async Task StartAsync_SeveralProblems_ThrowsListingEachBeforeStarting()
    {
        var options = new AzureMlEmulatorOptions { ApiKey = " ", MaxConcurrentJobs = 0 };
        options.Azurite.NodeExecutable = "";

        var act = () => AzureMlEmulator.StartAsync(options);

        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("options").Which.Message.Should().Be(
            "Invalid AzureMlEmulatorOptions: ApiKey is required. MaxConcurrentJobs must be between 1 and 10000. " +
            "Azurite.NodeExecutable is required: node, or the path of the Node.js executable. (Parameter 'options')");
    }

    [Fact]
    public async Task AzuriteStartAsync_NoClock_ThrowsNamingTheSetting()
    {
        var act = () => AzuriteInstance.StartAsync(new AzuriteOptions { TimeProvider = null!, InstallTimeout = TimeSpan.FromDays(2) });

        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("options").Which.Message.Should().Be(
            "Invalid AzuriteOptions: InstallTimeout must be between 00:00:00 exclusive and 1.00:00:00. " +
            "TimeProvider is null: leave it at TimeProvider.System, or set the clock to wait on. (Parameter 'options')");
    }
}
