using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace AzureMl.Emulator.Tests.Batch;

internal static class BatchTestKit
{
    public static async Task<BlobContainerClient> NewContainerAsync(string connectionString)
    {
        var container = new BlobServiceClient(connectionString, BlobLocator.CreateDefaultOptions()).GetBlobContainerClient("c" + Guid.NewGuid().ToString("N"));
        await container.CreateAsync();
        return container;
    }

    public static async Task UploadAsync(BlobContainerClient container, string name, string text) =>
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(text), overwrite: true);

    public static string Reference(string connectionString, string relativeLocation) =>
        $$"""{"ConnectionString":{{JsonSerializer.Serialize(connectionString)}},"RelativeLocation":{{JsonSerializer.Serialize(relativeLocation)}}}""";

    public static async Task<string> SubmitAsync(AzureMlEmulator emulator, string body)
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, emulator.Url("jobs"), body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<string>(text)!;
    }

    public static async Task StartAsync(AzureMlEmulator emulator, string jobId)
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Post, emulator.Url($"jobs/{jobId}/start"));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonNode> StatusAsync(AzureMlEmulator emulator, string jobId)
    {
        using var response = await EmulatorHttp.SendAsync(HttpMethod.Get, emulator.Url($"jobs/{jobId}"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    /// <summary>Polls until the job leaves NotStarted/Running; each round awaits the previous status answer.</summary>
    public static async Task<JsonNode> WaitForEndAsync(AzureMlEmulator emulator, string jobId)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await StatusAsync(emulator, jobId);
            var code = status["StatusCode"]!.GetValue<string>();
            if (code is not ("NotStarted" or "Running"))
            {
                return status;
            }

            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the job should end");
            await Task.Yield();
        }
    }

    public static async Task<string> DownloadAsync(Uri uri)
    {
        using var response = await EmulatorHttp.Client.GetAsync(uri);
        response.StatusCode.Should().Be(HttpStatusCode.OK, uri.GetLeftPart(UriPartial.Path));
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }
}
