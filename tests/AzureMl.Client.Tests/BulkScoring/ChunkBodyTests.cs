using System.Buffers;
using System.Text;
using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.BulkScoring;

public sealed class ChunkBodyTests
{
    private static readonly byte[] Json = Encoding.UTF8.GetBytes("""{"Inputs":{}}""");

    private static ChunkBody Body(ChunkBodyPool pool, PooledBufferWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes);
        return pool.TakeBody(writer, 16);
    }

    [Fact]
    public void TakeBody_HandsOverWhatWasWrittenAndTheWriterStartsEmpty()
    {
        var pool = new ChunkBodyPool();
        using var writer = new PooledBufferWriter(pool, 4);
        writer.Write(Json);
        writer.Write("x"u8);
        writer.Truncate(Json.Length);

        var body = pool.TakeBody(writer, 16);

        body.Length.Should().Be(Json.Length);
        body.Memory.ToArray().Should().Equal(Json);
        writer.WrittenCount.Should().Be(0);
        Body(pool, writer, "[2]"u8).Memory.ToArray().Should().Equal("[2]"u8.ToArray(), "the next body has a buffer of its own");
        body.Memory.ToArray().Should().Equal(Json, "the first body is untouched");
    }

    [Fact]
    public async Task Content_WritesTheBodyWithItsLengthAsOftenAsAsked()
    {
        var pool = new ChunkBodyPool();
        using var writer = new PooledBufferWriter(pool, 64);
        var body = Body(pool, writer, Json);
        using var content = body.CreateContent(new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"));

        content.Headers.ContentLength.Should().Be(Json.Length);
        content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await content.ReadAsByteArrayAsync()).Should().Equal(Json);
        using var second = body.CreateContent(new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"));
        (await second.ReadAsByteArrayAsync()).Should().Equal(Json, "a retry sends the same bytes");
    }

    [Fact]
    public async Task Release_WithNoWriteRunning_ReturnsTheBufferForTheNextBatch()
    {
        var pool = new ChunkBodyPool();
        using var writer = new PooledBufferWriter(pool, 64);
        var body = Body(pool, writer, Json);

        body.Release();

        pool.FreeCount.Should().Be(1);
        var next = Body(pool, writer, "[1]"u8);
        pool.FreeCount.Should().Be(0, "the free buffer was reused");
        using var content = next.CreateContent(new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"));
        (await content.ReadAsStringAsync()).Should().Be("[1]");
    }

    [Fact]
    public async Task Release_WhileAWriteRuns_KeepsTheBufferUntilTheWriteEnds()
    {
        var pool = new ChunkBodyPool();
        using var writer = new PooledBufferWriter(pool, 64);
        var body = Body(pool, writer, Json);
        var stream = new GatedStream();
        using var content = body.CreateContent(new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"));
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
        var pool = new ChunkBodyPool();
        using var writer = new PooledBufferWriter(pool, 64);
        var body = Body(pool, writer, Json);
        using var content = body.CreateContent(new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"));
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
