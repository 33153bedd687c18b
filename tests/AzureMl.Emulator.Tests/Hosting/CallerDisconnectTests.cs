using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AzureMl.Emulator.Tests.Hosting;

[Collection(EmulatorCollection.Name)]
public sealed class CallerDisconnectTests(AzuriteFixture fixture)
{
    [Theory]
    [InlineData("execute", """{"Inputs":{"input1":{"ColumnNames":["Col2"],""")]
    [InlineData("jobs", """{"Inputs":{"input1":{"ConnectionString":""")]
    public async Task Request_CallerClosesMidBody_LoggedBelowErrorAndNotAnswered(string operation, string partialBody)
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        var emulator = await fixture.StartEmulatorAsync(o => o.LoggerFactory = loggerFactory);
        FakeLogRecord outcome;
        await using (emulator)
        {
            var url = emulator.Url(operation);
            var head = $"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAuthorization: Bearer {emulator.ApiKey}\r\n" +
                "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using (var caller = new TcpClient())
            {
                await caller.ConnectAsync(url.Host, url.Port);
                await caller.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head + partialBody));

                // Close only once the handler runs, so it is reading a body that will never be complete.
                await FirstAsync(collector, r => r.Id.Name == "ExecutingEndpoint", timeout.Token);
            }

            // The emulator's own account of the call: its note that the caller went away, or an error.
            outcome = await FirstAsync(collector, r => r.Id.Name == "CallerWentAway" || r.Level >= LogLevel.Error, timeout.Token);
        }

        outcome.Level.Should().BeOneOf([LogLevel.Debug, LogLevel.Information], $"{outcome.Category}: {outcome.Message} {outcome.Exception}");
        outcome.Message.Should().Contain("went away");
        collector.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Should().BeEmpty();
        emulator.ReceivedCount(operation == "jobs" ? EmulatorRoute.Submit : EmulatorRoute.Execute).Should().Be(1);
    }

    [Fact]
    public async Task Execute_MalformedChunkedBody_Answered400BelowError()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        string answer;
        await using (var emulator = await fixture.StartEmulatorAsync(o => o.LoggerFactory = loggerFactory))
        {
            var url = emulator.Url("execute");
            var request = $"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAuthorization: Bearer {emulator.ApiKey}\r\n" +
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n";
            using var caller = new TcpClient();
            await caller.ConnectAsync(url.Host, url.Port);
            var stream = caller.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            using var reader = new StreamReader(stream, Encoding.ASCII);
            answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        answer.Should().StartWith("HTTP/1.1 400").And.Contain("RequestBodyInvalid");
        collector.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Should().BeEmpty();
        collector.GetSnapshot().Should().Contain(r => r.Id.Name == "BadRequestBody" && r.Level == LogLevel.Information);
    }

    private static async Task<FakeLogRecord> FirstAsync(FakeLogCollector collector, Func<FakeLogRecord, bool> match, CancellationToken cancellationToken)
    {
        await foreach (var record in collector.GetLogsAsync(cancellationToken))
        {
            if (match(record))
            {
                return record;
            }
        }

        throw new InvalidOperationException("The log ended without the record.");
    }
}
