using AzureMl.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Gateway;

/// <summary>The gateway handler and the resilience pipeline against the emulator's API Management front and fault injection.</summary>
public sealed class EmulatorGatewayTests
{
    // Execute needs no storage: a syntactically valid connection string keeps the emulator from starting Azurite.
    private const string NoStorage = "UseDevelopmentStorage=true";

    private static Task<AzureMlEmulator> StartAsync(TimeProvider time, Action<EmulatorGatewayOptions>? gateway = null) =>
        AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            Gateway = Configure(new EmulatorGatewayOptions(), gateway),
            StorageConnectionString = NoStorage,
            TimeProvider = time,
        });

    private static EmulatorGatewayOptions Configure(EmulatorGatewayOptions options, Action<EmulatorGatewayOptions>? configure)
    {
        configure?.Invoke(options);
        return options;
    }

    private static FakeService Host(AzureMlEmulator emulator, FakeTimeProvider? time, Action<IAzureMlClientBuilder> keys) =>
        FakeService.OfEmulator(emulator, time, keys);

    private static ScoringTable Table() => new ScoringTable("Col2").AddRow("I loved this book");

    [Fact]
    public async Task ExecuteAsync_RevokedPrimaryKey_FailsOverToSecondaryOnceAndKeepsIt()
    {
        await using var emulator = await StartAsync(TimeProvider.System);
        using var host = Host(emulator, null, b => b.AddSubscriptionKey("revoked-primary-key", emulator.SecondarySubscriptionKey!));

        var first = await host.Client.ExecuteAsync(Table());
        var second = await host.Client.ExecuteAsync(Table());

        first.RowCount.Should().Be(1);
        second.RowCount.Should().Be(1);
        host.Logs.GetSnapshot().Count(r => r.Id.Name == "SubscriptionKeyFailover").Should().Be(1, "the key that worked is kept");
    }

    [Fact]
    public async Task ExecuteAsync_GatewayRateLimit_WaitsRetryAfterOnTheFakeClockAndSucceeds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using var emulator = await StartAsync(time, g => g.RateLimitCalls = 1);
        using var host = Host(emulator, time, b => b.AddSubscriptionKey(emulator.PrimarySubscriptionKey!));
        await host.CaptureAsync(() => host.Client.ExecuteAsync(Table()));
        var started = time.GetUtcNow();

        var error = await host.CaptureAsync(() => host.Client.ExecuteAsync(Table()));

        error.Should().BeNull();
        (time.GetUtcNow() - started).Should().BeGreaterThan(TimeSpan.FromSeconds(1), "the client waited for the gateway's Retry-After");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "RetryScheduled" && r.Message.Contains("429", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_InjectedThrottlingTwice_SucceedsOnThirdRequest()
    {
        await using var emulator = await StartAsync(TimeProvider.System);
        emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.Status(503, times: 2));
        using var host = Host(emulator, null, b => b.AddSubscriptionKey(emulator.PrimarySubscriptionKey!));

        var output = await host.Client.ExecuteAsync(Table());

        output.RowCount.Should().Be(1);
        emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(3);
    }

    [Fact]
    public async Task StartJob_InjectedServerError_SentOnceOutcomeUnknown()
    {
        await using var emulator = await StartAsync(TimeProvider.System);
        emulator.Faults.Add(EmulatorRoute.Start, EmulatorFault.Status(500, times: 5));
        using var host = Host(emulator, null, b => b.AddSubscriptionKey(emulator.PrimarySubscriptionKey!));

        var error = await host.CaptureAsync(() => host.Client.StartJobAsync("0123456789abcdef0123456789abcdef"));

        error.Should().BeOfType<AzureMlException>().Which.IsOutcomeUnknown.Should().BeTrue();
        emulator.ReceivedCount(EmulatorRoute.Start).Should().Be(1);
    }
}
