using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AzureMl.Emulator.Tests;

/// <summary>Plain HTTP calls to the emulator, as any client of the classic service would make them.</summary>
internal static class EmulatorHttp
{
    public static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(60) };

    public const string WalkthroughBody = """
        {"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[["I loved this book"],["I hated this book"]]}},"GlobalParameters":{}}
        """;

    public static Uri Url(this AzureMlEmulator emulator, string relative, string query = "api-version=2.0") =>
        new($"{emulator.ServiceUri}/{relative}{(query.Length > 0 ? "?" + query : string.Empty)}");

    public static Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, string? json = null, string? apiKey = "emulator-api-key", Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, uri);
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        return Client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> ExecuteAsync(this AzureMlEmulator emulator, string json, string query = "api-version=2.0", string? apiKey = "emulator-api-key") =>
        SendAsync(HttpMethod.Post, emulator.Url("execute", query), json, apiKey);

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("null body");

    public static async Task ShouldBeServiceErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code, string detail)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        var body = JsonNode.Parse(text)!;
        body["error"]!["code"]!.GetValue<string>().Should().Be(code, text);
        body["error"]!["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        body["error"]!["details"]![0]!["code"]!.GetValue<string>().Should().Be(detail, text);
        body["error"]!["details"]![0]!["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
    }

    public static async Task ShouldBeGatewayErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string messageStart)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        var body = JsonNode.Parse(text)!;
        body["statusCode"]!.GetValue<int>().Should().Be((int)status);
        body["message"]!.GetValue<string>().Should().StartWith(messageStart);
    }
}
