using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.BulkScoring;

/// <summary>The limiter's rules: AIMD on throttling, one decrease per generation, priority among waiters, cancellation.</summary>
public sealed class AdaptiveConcurrencyLimiterTests
{
    [Fact]
    public async Task Acquire_UpToTheLimit_ImmediateThenWaits()
    {
        var limiter = new AdaptiveConcurrencyLimiter(2);

        var a = limiter.AcquireAsync(0, default);
        var b = limiter.AcquireAsync(1, default);
        var c = limiter.AcquireAsync(2, default);

        a.IsCompleted.Should().BeTrue();
        b.IsCompleted.Should().BeTrue();
        c.IsCompleted.Should().BeFalse("the limit is 2");
        limiter.Release(await a, throttled: false);
        (await c.AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Should().Be(0);
    }

    [Fact]
    public async Task Release_Throttled_HalvesOncePerGeneration()
    {
        var limiter = new AdaptiveConcurrencyLimiter(8);
        var generations = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            generations.Add(await limiter.AcquireAsync(i, default));
        }

        // Four calls started together are all throttled: one signal, one halving.
        foreach (var g in generations)
        {
            limiter.Release(g, throttled: true);
        }

        limiter.Limit.Should().Be(4);

        // A call of the new generation throttled again halves again.
        var next = await limiter.AcquireAsync(0, default);
        limiter.Release(next, throttled: true);
        limiter.Limit.Should().Be(2);
    }

    [Fact]
    public async Task Release_Throttled_NeverBelowOne()
    {
        var limiter = new AdaptiveConcurrencyLimiter(1);

        limiter.Release(await limiter.AcquireAsync(0, default), throttled: true);

        limiter.Limit.Should().Be(1);
    }

    [Fact]
    public async Task Release_FullRoundOfSuccesses_RaisesByOneUpToTheMaximum()
    {
        var limiter = new AdaptiveConcurrencyLimiter(4);
        limiter.Release(await limiter.AcquireAsync(0, default), throttled: true);
        limiter.Release(await limiter.AcquireAsync(0, default), throttled: true);
        limiter.Limit.Should().Be(1);

        limiter.Release(await limiter.AcquireAsync(0, default), throttled: false);
        limiter.Limit.Should().Be(2, "one success is a full round at limit 1");
        limiter.Release(await limiter.AcquireAsync(0, default), throttled: false);
        limiter.Limit.Should().Be(2, "a round at limit 2 takes two successes");
        limiter.Release(await limiter.AcquireAsync(0, default), throttled: false);
        limiter.Limit.Should().Be(3);
        for (var i = 0; i < 20; i++)
        {
            limiter.Release(await limiter.AcquireAsync(0, default), throttled: false);
        }

        limiter.Limit.Should().Be(4, "never above the maximum");
    }

    [Fact]
    public async Task Release_Waiters_LowestPriorityFirst()
    {
        var limiter = new AdaptiveConcurrencyLimiter(1);
        var held = await limiter.AcquireAsync(0, default);
        var later = limiter.AcquireAsync(500, default);
        var retried = limiter.AcquireAsync(100, default);

        limiter.Release(held, throttled: false);

        var generation = await retried.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        later.IsCompleted.Should().BeFalse("a chunk sent again (earlier rows) goes before later chunks, and the one slot is taken");
        limiter.Release(generation, throttled: false);
        (await later.AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task Acquire_CancelledWaiter_GivesItsTurnToTheNext()
    {
        var limiter = new AdaptiveConcurrencyLimiter(1);
        var held = await limiter.AcquireAsync(0, default);
        using var cts = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(1, cts.Token);
        var next = limiter.AcquireAsync(2, default);

        await cts.CancelAsync();
        await FluentActions.Awaiting(() => cancelled.AsTask()).Should().ThrowAsync<OperationCanceledException>();
        limiter.Release(held, throttled: false);

        await FluentActions.Awaiting(() => next.AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Should().NotThrowAsync("the cancelled waiter's slot goes to the next one");
    }
}
