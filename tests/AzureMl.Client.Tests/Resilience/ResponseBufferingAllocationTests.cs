using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace AzureMl.Client.Tests.Resilience;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation measurements (run alone: the counter is process-wide)";
}

[Collection(AllocationCollection.Name)]
public sealed class ResponseBufferingAllocationTests
{
    [Fact]
    public async Task ExecuteAsync_LargeResponseThroughDefaultPipeline_BodyHeldOnceNotCopied()
    {
        var body = LargeResponse(50_000);
        var services = new ServiceCollection();
        services.AddAzureMlClient(o =>
            {
                o.Endpoint = new Uri("http://localhost");
                o.WorkspaceId = "ws";
                o.ServiceId = "svc";
            })
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => new CannedHandler(body));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IAzureMlClient>();
        var input = new ScoringTable("c0").AddRow("x");
        await client.ExecuteAsync(input); // warm up pools and code paths

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var output = await client.ExecuteAsync(input);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        output.RowCount.Should().Be(50_000);
        output[49_999].GetInt32("c1").Should().Be(49_999);
        // Buffering in the pipeline and then copying for the parser costs about twice the body; held once, the parse
        // itself is about 1.1 times.
        allocated.Should().BeLessThan(body.Length * 3L / 2, $"the body is {body.Length} bytes");
    }

    private static byte[] LargeResponse(int rows)
    {
        var sb = new StringBuilder("""{"Results":{"output1":{"type":"table","value":{"ColumnNames":["c0","c1","c2"],"ColumnTypes":["String","Int32","Double"],"Values":[""");
        for (var i = 0; i < rows; i++)
        {
            sb.Append(i == 0 ? "[" : ",[").Append($"\"name {i}\",\"{i}\",\"{i * 1.25}\"").Append(']');
        }

        return Encoding.UTF8.GetBytes(sb.Append("]}}}}").ToString());
    }

    private sealed class CannedHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(new MemoryStream(body, writable: false));
            content.Headers.ContentType = new("application/json");
            content.Headers.ContentLength = body.Length;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }
}
