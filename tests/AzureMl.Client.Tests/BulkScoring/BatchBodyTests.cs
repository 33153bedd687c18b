using System.Text;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.BulkScoring;

public sealed class BatchBodyTests
{
    private static readonly byte[] Json = Encoding.UTF8.GetBytes("""{"Inputs":{}}""");

    [Fact]
    public async Task Content_WritesTheBodyWithItsLengthAsOftenAsAsked()
    {
        var body = new BatchBodyPool().Rent(Json);
        using var content = body.CreateContent();

        content.Headers.ContentLength.Should().Be(Json.Length);
        content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await content.ReadAsByteArrayAsync()).Should().Equal(Json);
        using var second = body.CreateContent();
        (await second.ReadAsByteArrayAsync()).Should().Equal(Json, "a retry sends the same bytes");
    }

    [Fact]
    public async Task Release_WithNoWriteRunning_ReturnsTheBufferForTheNextBatch()
    {
        var pool = new BatchBodyPool();
        var body = pool.Rent(Json);

        body.Release();

        pool.FreeCount.Should().Be(1);
        var next = pool.Rent("[1]"u8);
        pool.FreeCount.Should().Be(0, "the free buffer was reused");
        using var content = next.CreateContent();
        (await content.ReadAsStringAsync()).Should().Be("[1]");
    }

    [Fact]
    public async Task Release_WhileAWriteRuns_KeepsTheBufferUntilTheWriteEnds()
    {
        var pool = new BatchBodyPool();
        var body = pool.Rent(Json);
        var stream = new GatedStream();
        using var content = body.CreateContent();
        var write = content.CopyToAsync(stream);
        await stream.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        body.Release();
        pool.FreeCount.Should().Be(0, "a write of the body is still running");
        stream.Gate.SetResult();
        await write.WaitAsync(TimeSpan.FromSeconds(30));

        pool.FreeCount.Should().Be(1);
        stream.Written.Should().Equal(Json);
    }

    [Fact]
    public async Task Write_AfterTheCallEnded_FailsInsteadOfSendingAReusedBuffer()
    {
        var pool = new BatchBodyPool();
        var body = pool.Rent(Json);
        using var content = body.CreateContent();
        body.Release();

        var act = () => content.CopyToAsync(Stream.Null);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("after its call had ended");
    }

    private sealed class GatedStream : MemoryStream
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[] Written => ToArray();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            await Gate.Task.WaitAsync(cancellationToken);
            await base.WriteAsync(buffer, cancellationToken);
        }
    }
}
