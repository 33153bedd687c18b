using AzureMl.Emulator;

namespace AzureMl.Client.Tests.BulkScoring;

/// <summary>Bulk scoring against the emulated service on loopback.</summary>
public sealed class BulkScoringEmulatorTests : IAsyncLifetime
{
    private AzureMlEmulator _emulator = null!;
    private FakeService _service = null!;

    public async Task InitializeAsync()
    {
        _emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
        {
            // Scoring only: a connection string that is never dialled keeps blob storage out of it.
            StorageConnectionString = "UseDevelopmentStorage=true",
            MaxConcurrentRequests = 20,
        });
        _service = FakeService.OfEmulator(_emulator);
    }

    public async Task DisposeAsync()
    {
        _service.Dispose();
        await _emulator.DisposeAsync();
    }

    private AzureMlClient CreateClient(TimeProvider? timeProvider = null) => _service.CreateClient(timeProvider: timeProvider);

    private static IEnumerable<IReadOnlyList<object?>> Reviews(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new string?[] { $"review number {i} was {(i % 2 == 0 ? "good" : "bad")}" };
        }
    }

    [Fact]
    public async Task ScoreBulkAsync_AgainstEmulator_ScoresEveryRowInOrderWithinTheConcurrencyBound()
    {
        var client = CreateClient();
        var scored = new List<string?>();

        await foreach (var chunk in client.ScoreBulkAsync(["Col2"], Reviews(2_000), new BulkScoringOptions { ChunkSize = 50, MaxConcurrency = 5 }))
        {
            scored.AddRange(chunk.Results.Select(r => r["Col2"]));
        }

        scored.Should().Equal(Reviews(2_000).Select(r => (string?)r[0]));
        _emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(40);
        _emulator.PeakConcurrentRequests.Should().BeInRange(1, 5, "the run never has more than MaxConcurrency calls in flight");
    }

    [Fact]
    public async Task ScoreBulkAsync_EmulatorThrottles_SlowsDownAndCompletes()
    {
        _emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.Status(503, times: 3, retryAfter: TimeSpan.FromSeconds(1)));
        var clock = new RecordingTimeProvider();
        var client = CreateClient(clock);
        var rows = 0;
        long maxScored = 0;
        var progress = new Progress(p => maxScored = Math.Max(maxScored, p.RowsScored));

        await foreach (var chunk in client.ScoreBulkAsync(["Col2"], Reviews(500), new BulkScoringOptions { ChunkSize = 50, Progress = progress }))
        {
            rows += chunk.Results.Count;
        }

        rows.Should().Be(500);
        _emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(10 + 3);
        clock.Delays.Should().HaveCount(3).And.OnlyContain(d => d == TimeSpan.FromSeconds(1));
        maxScored.Should().Be(500);
    }

    private sealed class Progress(Action<BulkScoringProgress> report) : IProgress<BulkScoringProgress>
    {
        private readonly Lock _lock = new();

        public void Report(BulkScoringProgress value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
