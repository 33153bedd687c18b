using AzureMl.Client;
using AzureMl.Emulator;
using AzureMl.Quickstart;
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

        var result = await QuickstartFlow.RunAsync(client, target, output, timeout.Token);

        var expected = new FeatureHashingModel().Hash("This is a good day");
        result.Features.Should().Equal(expected);
        result.BatchRowCount.Should().Be(File.ReadLines(QuickstartFlow.ReviewsPath).Count(l => l.Length > 0) - 1);
        result.FirstOutputLines[0].Should().StartWith("Col2,Col2_HashingFeature.0,");
        var firstReview = File.ReadLines(QuickstartFlow.ReviewsPath).Skip(1).First();
        result.FirstOutputLines[1].Should().Be(firstReview + "," + string.Join(",", new FeatureHashingModel().Hash(firstReview)));
        result.RetriesOnThrottledCall.Should().Be(1);

        target.Emulator!.ReceivedCount(EmulatorRoute.Execute).Should().Be(3, "one call, then the throttled one and its retry");
        target.Emulator.ReceivedCount(EmulatorRoute.Delete).Should().Be(1, "the finished job is deleted");
        var text = output.ToString();
        text.Should().Contain("status: Finished").And.Contain("Scored after 1 retry");
        text.Should().NotContain(target.ApiKey!).And.NotContain(target.SubscriptionKey!);
    }
}
