using System.Net;
using System.Text;

namespace AzureMl.Emulator.Tests.RequestResponse;

[Collection(EmulatorCollection.Name)]
public sealed class RequestSizeTests(AzuriteFixture fixture)
{
    private const int Limit = 4096;

    private static string BodyOf(int rows) =>
        $$"""{"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[{{string.Join(",", Enumerable.Repeat("[\"I loved this book\"]", rows))}}] } } }""";

    [Fact]
    public void MaxRequestBytes_Default_16MiB() =>
        new AzureMlEmulatorOptions().MaxRequestBytes.Should().Be(16 * 1024 * 1024).And.Be(AzureMlEmulatorOptions.DefaultMaxRequestBytes);

    [Fact]
    public async Task Execute_BodyOverLimit_MemoryQuotaViolation()
    {
        await using var emulator = await fixture.StartEmulatorAsync(o => o.MaxRequestBytes = Limit);
        var body = BodyOf(300);
        Encoding.UTF8.GetByteCount(body).Should().BeGreaterThan(Limit);

        using var response = await emulator.ExecuteAsync(body);

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.RequestEntityTooLarge, "MemoryQuotaViolation", "OutOfMemoryLimit");
        (await response.Content.ReadAsStringAsync()).Should().Contain($"limit of {Limit} bytes");
    }

    [Fact]
    public async Task Execute_ChunkedBodyOverLimit_MemoryQuotaViolation()
    {
        await using var emulator = await fixture.StartEmulatorAsync(o => o.MaxRequestBytes = Limit);
        var bytes = Encoding.UTF8.GetBytes(BodyOf(300));
        long? sentLength = -1;

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, emulator.Url("execute"), configure: request =>
        {
            // A stream of unknown length goes out chunked, without Content-Length.
            request.Content = new StreamContent(new UnknownLengthStream(bytes));
            request.Content.Headers.ContentType = new("application/json");
            sentLength = request.Content.Headers.ContentLength;
        });

        sentLength.Should().BeNull();
        await response.ShouldBeServiceErrorAsync(HttpStatusCode.RequestEntityTooLarge, "MemoryQuotaViolation", "OutOfMemoryLimit");
    }

    [Fact]
    public async Task Execute_BodyUnderLimit_Scores()
    {
        await using var emulator = await fixture.StartEmulatorAsync(o => o.MaxRequestBytes = Limit);

        using var response = await emulator.ExecuteAsync(BodyOf(2));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task StartAsync_MaxRequestBytesOutOfRange_ThrowsNamingTheSetting()
    {
        var act = () => fixture.StartEmulatorAsync(o => o.MaxRequestBytes = 0);

        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("options")
            .WithMessage("*MaxRequestBytes must be between 1 and 1073741824*");
    }

    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
