using System.Net.Http.Headers;
using System.Text;

namespace AzureMl.Emulator.Tests.OnlineEndpoints;

/// <summary>Raw HTTP calls to the emulator's online endpoints, as any client of a managed online endpoint would make them.</summary>
internal static class OnlineTestKit
{
    public const string GoodDayBody = """{"input_data":{"columns":["Col2"],"index":[0],"data":[["This is a good day"]]}}""";

    /// <summary>An emulator with no Azurite: online endpoints need no storage.</summary>
    public static Task<AzureMlEmulator> StartAsync(Action<AzureMlEmulatorOptions>? configure = null)
    {
        var options = new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" };
        configure?.Invoke(options);
        return AzureMlEmulator.StartAsync(options);
    }

    public static Task<HttpResponseMessage> ScoreAsync(
        this AzureMlEmulator emulator,
        string? body = GoodDayBody,
        string? key = EmulatedOnlineEndpoint.DefaultPrimaryKey,
        string endpoint = EmulatedOnlineEndpoint.DefaultName,
        string contentType = "application/json",
        Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, emulator.GetOnlineScoringUri(endpoint));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        configure?.Invoke(request);
        return EmulatorHttp.Client.SendAsync(request);
    }

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    public static async Task ShouldBeMessageAsync(this HttpResponseMessage response, int status, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, text);
        var body = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        body["message"]!.GetValue<string>().Should().StartWith(message, text);
    }

    public static async Task ShouldBeModelErrorAsync(this HttpResponseMessage response, int containerStatus, string message)
    {
        await response.ShouldBeMessageAsync(424, message);
        response.Header("ms-azureml-model-error-statuscode").Should().Be(containerStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Header("ms-azureml-model-error-reason").Should().Be("model_error");
    }
}
