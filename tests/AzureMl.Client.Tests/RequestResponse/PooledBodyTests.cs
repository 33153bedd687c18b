using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.RequestResponse;

public sealed class PooledBodyTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 0)]
    [InlineData(40_000, 0)]
    [InlineData(40_000, 40_000)]
    [InlineData(40_000, 40_001)]
    [InlineData(40_001, 40_000)]
    [InlineData(100_000, 40_000)]
    [InlineData(100, -5)]
    [InlineData(100, int.MaxValue)]
    public async Task ReadAsync_ChunkedBodyAroundTheSizeHint_ReadsEveryByte(int length, int sizeHint)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        using var content = new StreamContent(new UnseekableStream(bytes));
        content.Headers.ContentLength.Should().BeNull("the body is chunked: no length is known up front");

        using var body = await PooledBody.ReadAsync(content, CancellationToken.None, sizeHint);

        body.Span.ToArray().Should().Equal(bytes);
    }

    [Fact]
    public async Task ExecuteAsync_ChunkedAnswer_NextAnswerIsReadIntoABufferOfAboutItsSize()
    {
        var answer = System.Text.Encoding.UTF8.GetBytes(
            """{"Results":{"output1":{"type":"table","value":{"ColumnNames":["a"],"Values":[""" +
            string.Join(",", Enumerable.Range(0, 5_000).Select(i => $"[\"{i}\"]")) + "]}}}}");
        using var service = new FakeService(Transport.InMemory).Always(new FakeAnswer(WireEnd.Answer, Chunked: true) { RawBody = answer });
        var client = service.CreateClient();
        client.ExecuteBodyHint().Should().BeLessThan(answer.Length, "nothing has been read yet");

        var output = await client.ExecuteAsync(new ScoringTable("a").AddRow("x"));

        output.RowCount.Should().Be(5_000);
        client.ExecuteBodyHint().Should().BeGreaterThan(answer.Length, "an answer like the last one fits without growing the buffer");
    }

    /// <summary>Hands out a few bytes a read, as a socket does, and has no length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 3_000)], cancellationToken);
    }
}
