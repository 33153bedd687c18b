using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using static AzureMl.Emulator.Tests.Batch.BatchTestKit;

namespace AzureMl.Emulator.Tests.Faults;

[Collection(EmulatorCollection.Name)]
public sealed class FaultTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private AzureMlEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await fixture.StartEmulatorAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Status_ServiceBody_AnswersThenRecovers()
    {
        _emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.Status(503, times: 2, retryAfter: TimeSpan.FromSeconds(1)));

        using var first = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
        using var second = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
        using var third = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);

        first.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
        await first.ShouldBeServiceErrorAsync(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "NoMoreResources");
        second.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        third.StatusCode.Should().Be(HttpStatusCode.OK);
        _emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(3);
        _emulator.Faults.Pending.Should().Be(0);
    }

    [Fact]
    public async Task Status_OnSubmit_SubmitReceivedOnceAndNoJobCreated()
    {
        _emulator.Faults.Add(EmulatorRoute.Submit, EmulatorFault.Status(500));

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), "{}");

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.InternalServerError, "InternalError", "InternalError");
        _emulator.ReceivedCount(EmulatorRoute.Submit).Should().Be(1);
    }

    [Theory]
    [InlineData(FaultBody.Gateway)]
    [InlineData(FaultBody.Text)]
    [InlineData(FaultBody.Empty)]
    [InlineData(FaultBody.Html)]
    public async Task Status_OtherBodyShapes_Answered(FaultBody shape)
    {
        _emulator.Faults.Add(EmulatorRoute.Status, EmulatorFault.Status(429, body: shape, retryAfter: TimeSpan.FromSeconds(30)));

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Get, _emulator.Url("jobs/x"));
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(30));
        switch (shape)
        {
            case FaultBody.Gateway:
                JsonDocument.Parse(text).RootElement.GetProperty("statusCode").GetInt32().Should().Be(429);
                break;
            case FaultBody.Text:
                response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
                text.Should().StartWith("429 Too Many Requests");
                break;
            case FaultBody.Html:
                response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
                text.Should().StartWith("<html>").And.Contain("429 Too Many Requests");
                break;
            default:
                text.Should().BeEmpty();
                break;
        }
    }

    [Fact]
    public async Task Status_ForOneService_OthersUnaffected()
    {
        _emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.Status(500), serviceId: "00000000000000000000000000000009");

        using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        _emulator.Faults.Pending.Should().Be(1);
        _emulator.Faults.Clear();
        _emulator.Faults.Pending.Should().Be(0);
    }

    [Fact]
    public async Task Latency_DelaysThenServes()
    {
        _emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.Latency(TimeSpan.FromMilliseconds(300)));
        var clock = Stopwatch.StartNew();

        using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Abort_ConnectionDropped_ThenRecovers()
    {
        _emulator.Faults.Add(EmulatorRoute.Delete, EmulatorFault.Abort());

        var act = () => EmulatorHttp.SendAsync(HttpMethod.Delete, _emulator.Url("jobs/x"));

        await act.Should().ThrowAsync<HttpRequestException>();
        using var next = await EmulatorHttp.SendAsync(HttpMethod.Delete, _emulator.Url("jobs/x"));
        next.StatusCode.Should().Be(HttpStatusCode.NotFound);
        _emulator.ReceivedCount(EmulatorRoute.Delete).Should().Be(2);
    }

    [Fact]
    public async Task CloseWithoutAnswer_WholeRequestRead_FinAndNoByteOfAnswer()
    {
        _emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.CloseWithoutAnswer());
        var url = _emulator.Url("execute");
        var body = Encoding.UTF8.GetBytes(EmulatorHttp.WalkthroughBody);
        var head = Encoding.ASCII.GetBytes(
            $"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAuthorization: Bearer {_emulator.ApiKey}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        using var caller = new TcpClient();
        await caller.ConnectAsync(url.Host, url.Port);
        var stream = caller.GetStream();
        await stream.WriteAsync(head.Concat(body).ToArray());

        // A FIN ends the stream (a read of 0 bytes); a reset would throw from the read instead.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        received.Length.Should().Be(0, "no byte of an answer, not even a status line: {0}", Encoding.ASCII.GetString(received.ToArray()));
        _emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(1);
        _emulator.Faults.Pending.Should().Be(0);
        using var next = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
        next.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CloseWithoutAnswer_HttpClient_ResponseEndedThenRecovers()
    {
        _emulator.Faults.Add(EmulatorRoute.Submit, EmulatorFault.CloseWithoutAnswer());

        var act = () => EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), "{}");

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.HttpRequestError.Should().Be(HttpRequestError.ResponseEnded);
        using var next = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), "{}");
        next.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MalformedBody_200ThatDoesNotParse()
    {
        _emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.MalformedBody());

        using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var parse = () => JsonDocument.Parse(text);
        parse.Should().Throw<JsonException>();
    }

    [Fact]
    public async Task TruncatedBody_ReadFailsButWorkWasDone()
    {
        var container = await NewContainerAsync(fixture.ConnectionString);
        await UploadAsync(container, "in.csv", "Col2\nhello\n");
        _emulator.Faults.Add(EmulatorRoute.Submit, EmulatorFault.TruncatedBody());

        var act = async () =>
        {
            using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, _emulator.Url("jobs"), $$"""{"Inputs":{"input1":{{Reference(fixture.ConnectionString, $"{container.Name}/in.csv")}}} }""");
            await response.Content.ReadAsStringAsync();
        };

        await act.Should().ThrowAsync<Exception>().Where(e => e is HttpRequestException || e is IOException);
        _emulator.ReceivedCount(EmulatorRoute.Submit).Should().Be(1);
    }

    [Fact]
    public async Task TruncatedBody_OnExecute_ReadFails()
    {
        _emulator.Faults.Add(EmulatorRoute.Execute, EmulatorFault.TruncatedBody());

        var act = async () =>
        {
            using var response = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
            await response.Content.ReadAsStringAsync();
        };

        await act.Should().ThrowAsync<Exception>().Where(e => e is HttpRequestException || e is IOException);
        using var next = await _emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody);
        next.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public void Status_OutOfRange_Throws()
    {
        var act = () => EmulatorFault.Status(200);

        act.Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => EmulatorFault.Abort(times: 0))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
