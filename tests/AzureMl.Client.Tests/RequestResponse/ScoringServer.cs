using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AzureMl.Client.Tests.RequestResponse;

/// <summary>A WireMock stand-in for one web service, and clients bound to it.</summary>
public sealed class ScoringServer : IDisposable
{
    public const string WorkspaceId = TestIds.WorkspaceId;
    public const string ServiceId = TestIds.ServiceId;
    public const string ApiKey = TestIds.ApiKey;

    public const string TableResponse = """
        {"Results":{"output1":{"type":"table","value":{"ColumnNames":["Col2","Score"],"ColumnTypes":["String","Double"],"Values":[["This is a good day","0.9"]]}}}}
        """;

    private readonly List<HttpClient> _httpClients = [];

    public WireMockServer Server { get; } = WireMockServer.Start();

    public string ServicePath => $"/workspaces/{WorkspaceId}/services/{ServiceId}";

    public IReadOnlyList<ILogEntry> Requests => Server.LogEntries.ToList();

    public AzureMlClientOptions Options(Action<AzureMlClientOptions>? configure = null)
    {
        var options = new AzureMlClientOptions
        {
            Endpoint = new Uri(Server.Url!),
            WorkspaceId = WorkspaceId,
            ServiceId = ServiceId,
            ApiKey = ApiKey,
        };
        configure?.Invoke(options);
        return options;
    }

    public AzureMlClient CreateClient(Action<AzureMlClientOptions>? configure = null)
    {
        var http = new HttpClient();
        _httpClients.Add(http);
        return new AzureMlClient(http, Options(configure));
    }

    public void Respond(int status, string? body, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status);
        if (body is not null)
        {
            response = response.WithBody(body);
        }

        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(Request.Create().UsingAnyMethod()).RespondWith(response);
    }

    public void RespondJson(string body) => Respond(200, body, ("Content-Type", "application/json; charset=utf-8"));

    public void Dispose()
    {
        foreach (var http in _httpClients)
        {
            http.Dispose();
        }

        Server.Stop();
        Server.Dispose();
    }
}
