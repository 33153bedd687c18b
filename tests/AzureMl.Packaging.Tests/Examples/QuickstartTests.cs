using AzureMl.Client;
using AzureMl.Emulator;
using AzureMl.Quickstart;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Packaging.Tests.Examples;

/// <summary>Runs the quickstart's flow end to end against the emulator it starts (Azurite included).</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task RunAsync_AgainstEmulator_ScoresThroughGatewayRunsBatchJobAndRetriesThrottledCall()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var target = await QuickstartTarget.StartEmulatorAsync(timeout.Token);
        await using var services = QuickstartFlow.BuildServices(target);
        var client = services.GetRequiredService<IAzureMlClient>();
        using var output = new StringWriter();

        var online = services.GetRequiredKeyedService<AzureMl.Client.OnlineEndpoints.IOnlineEndpointClient>("online");

        var result = await QuickstartFlow.RunAsync(client, online, target, output, timeout.Token);

        var expected = new FeatureHashingModel().Hash("This is a good day");
        result.Features.Should().Equal(expected);
        result.OnlineFeatures.Should().Equal(expected);
        target.Emulator!.ReceivedCount(EmulatorRoute.Score).Should().Be(1);
        result.BatchRowCount.Should().Be(File.ReadLines(QuickstartFlow.ReviewsPath).Count(l => l.Length > 0) - 1);
        result.FirstOutputLines[0].Should().StartWith("Col2,Col2_HashingFeature.0,");
        var firstReview = File.ReadLines(QuickstartFlow.ReviewsPath).Skip(1).First();
        result.FirstOutputLines[1].Should().Be(firstReview + "," + string.Join(",", new FeatureHashingModel().Hash(firstReview)));
        result.RetriesOnThrottledCall.Should().Be(1);

        target.Emulator!.ReceivedCount(EmulatorRoute.Execute).Should().Be(3, "one call, then the throttled one and its retry");
        target.Emulator.ReceivedCount(EmulatorRoute.Delete).Should().Be(1, "the finished job is deleted");
        var text = output.ToString();
        text.Should().Contain("status: Finished").And.Contain("Scored after 1 retry").And.Contain("1b. Online endpoint scoring")
            .And.Contain("/azureml-demo/onlineEndpoints/feature-hashing/score");
        text.Should().NotContain(target.ApiKey!).And.NotContain(target.SubscriptionKey!).And.NotContain(target.OnlineKey!);
    }
}

/// <summary>How the quickstart picks its target from configuration.</summary>
public sealed class QuickstartTargetTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    [Fact]
    public void FromConfiguration_NoEndpoint_ReturnsNullSoTheEmulatorIsUsed()
    {
        QuickstartTarget.FromConfiguration(Configuration(("AzureMl:Endpoint", ""), ("AzureMl:ApiKey", "k"))).Should().BeNull();
    }

    [Fact]
    public async Task FromConfiguration_FullSettings_ReadsThemAndHidesKeysFromToString()
    {
        await using var target = QuickstartTarget.FromConfiguration(Configuration(
            ("AzureMl:Endpoint", "https://contoso.azure-api.net/azureml-demo"),
            ("AzureMl:WorkspaceId", "ws"),
            ("AzureMl:ServiceId", "svc"),
            ("AzureMl:ApiKey", "secret-api-key"),
            ("AzureMl:Gateway:PrimaryKey", "secret-subscription-key"),
            ("AzureMl:StorageConnectionString", "UseDevelopmentStorage=true")))!;

        target.Endpoint.Should().Be(new Uri("https://contoso.azure-api.net/azureml-demo"));
        target.SubscriptionKey.Should().Be("secret-subscription-key");
        target.Emulator.Should().BeNull();
        target.ToString().Should().NotContain("secret").And.Contain("through API Management");
    }

    [Fact]
    public void FromConfiguration_SeveralSettingsMissing_NamesThemAllAtOnce()
    {
        var act = () => QuickstartTarget.FromConfiguration(Configuration(
            ("AzureMl:Endpoint", "https://ussouthcentral.services.azureml.net"), ("AzureMl:WorkspaceId", "ws")));

        act.Should().Throw<InvalidOperationException>().WithMessage(
            "These settings are not set: AzureMl:ServiceId (AZUREML__SERVICEID), AzureMl:StorageConnectionString (AZUREML__STORAGECONNECTIONSTRING).*");
    }

    [Fact]
    public void FromConfiguration_OneSettingMissing_SaysWhichAndWhereToSetIt()
    {
        var act = () => QuickstartTarget.FromConfiguration(Configuration(
            ("AzureMl:Endpoint", "https://ussouthcentral.services.azureml.net"), ("AzureMl:WorkspaceId", "ws"),
            ("AzureMl:StorageConnectionString", "UseDevelopmentStorage=true")));

        act.Should().Throw<InvalidOperationException>().WithMessage(
            "This setting is not set: AzureMl:ServiceId (AZUREML__SERVICEID). Set it in appsettings.json, user secrets, or environment variables.");
    }
}
