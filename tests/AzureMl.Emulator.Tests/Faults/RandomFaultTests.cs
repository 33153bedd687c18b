using System.Net;

namespace AzureMl.Emulator.Tests.Faults;

/// <summary>Faults drawn at random from a seed: scoring only, so no storage is needed.</summary>
public sealed class RandomFaultTests : IAsyncLifetime
{
    private AzureMlEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
    {
        // A connection string that is never dialled keeps blob storage out of it.
        StorageConnectionString = "UseDevelopmentStorage=true",
    });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private async Task<List<HttpStatusCode>> ExecuteManyAsync(int calls)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < calls; i++)
        {
            using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task AddRandom_SameSeed_FaultsTheSameCallsAndServesTheRest()
    {
        _emulator.Faults.AddRandom(EmulatorRoute.Execute, EmulatorFault.Status(500, times: int.MaxValue), probability: 0.25, seed: 7);
        var first = await ExecuteManyAsync(200);
        _emulator.Faults.Clear();
        _emulator.Faults.AddRandom(EmulatorRoute.Execute, EmulatorFault.Status(500, times: int.MaxValue), probability: 0.25, seed: 7);
        var second = await ExecuteManyAsync(200);

        first.Should().OnlyContain(s => s == HttpStatusCode.OK || s == HttpStatusCode.InternalServerError);
        first.Count(s => s == HttpStatusCode.InternalServerError).Should().BeInRange(30, 70, "about a quarter of 200 calls");
        second.Should().Equal(first, "the same seed faults the same calls");
    }

    [Fact]
    public async Task AddRandom_Times_UsedUpOnlyByFaultedCalls()
    {
        _emulator.Faults.AddRandom(EmulatorRoute.Execute, EmulatorFault.Status(503, times: 3), probability: 0.5, seed: 1);

        var statuses = await ExecuteManyAsync(40);

        statuses.Count(s => s == HttpStatusCode.ServiceUnavailable).Should().Be(3);
        _emulator.Faults.Pending.Should().Be(0);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void AddRandom_ProbabilityOutOfRange_Throws(double probability)
    {
        var act = () => _emulator.Faults.AddRandom(EmulatorRoute.Execute, EmulatorFault.Status(500), probability, seed: 1);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(probability));
    }
}
