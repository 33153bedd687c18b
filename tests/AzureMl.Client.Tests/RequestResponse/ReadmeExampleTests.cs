using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AzureMl.Client.Tests.RequestResponse;

/// <summary>
/// The later snippets of README.md, "Request-Response scoring", against a stand-in (the first one is compiled from the
/// README and run against the emulator by AzureMl.Packaging.Tests/Readme/ReadmeSnippetTests).
/// </summary>
public class ReadmeExampleTests
{
    [Fact]
    public async Task SwaggerAndParametersExample_AgainstStandIn_Works()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().UsingPost().WithParam("format", "swagger"))
            .RespondWith(Response.Create().WithBody("""{"Results":{"output1":[{"Scored Labels":"1"}]}}"""));
        server.Given(Request.Create().UsingPost().WithParam("details", "true"))
            .RespondWith(Response.Create().WithBody("""
                {"Results":{"output1":{"type":"table","value":{"ColumnNames":["Scored Labels"],"Values":[["1"]]}},
                            "output2":{"type":"table","value":{"ColumnNames":["When"],"Values":[["2015-01-31T13:02:03Z"]]}}}}
                """));
        using var http = new HttpClient();
        var client = new AzureMlClient(http, new AzureMlClientOptions { Endpoint = new Uri(server.Url!), WorkspaceId = "ws1", ServiceId = "svc1" });
        var input = new ScoringTable("Col1", "Col2").AddRow(42, "This is a good day");

        // README: swagger form
        var rows = await client.ExecuteSwaggerAsync(
        [
            new Dictionary<string, string?> { ["Col1"] = "42", ["Col2"] = "This is a good day" },
        ]);
        Console.WriteLine(rows[0]["Scored Labels"]);

        // README: several inputs, web service parameters, several outputs
        var request = new ScoringRequest(input);
        request.Inputs["input2"] = new ScoringTable("Region").AddRow("west");
        request.GlobalParameters["Threshold"] = "0.5";
        ScoringResult result = await client.ExecuteAsync(request);
        DateTime when = result.GetOutput("output2")[0].GetDateTime("When");

        rows[0]["Scored Labels"].Should().Be("1");
        when.Should().Be(new DateTime(2015, 1, 31, 13, 2, 3, DateTimeKind.Utc));
        server.LogEntries.Should().HaveCount(2);
    }

    [Fact]
    public async Task WireMockStandInSnippet_Works()
    {
        // README: Testing against a WireMock stand-in
        using var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath("/workspaces/ws1/services/svc1/execute").UsingPost())
              .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""
                  {"Results":{"output1":{"type":"table","value":{
                    "ColumnNames":["Scored Labels","Scored Probabilities"],"ColumnTypes":["Int32","Double"],
                    "Values":[["1","0.87"]]}}}}
                  """));

        using var http = new HttpClient();
        var client = new AzureMlClient(http, new AzureMlClientOptions
        {
            Endpoint = new Uri(server.Url!), WorkspaceId = "ws1", ServiceId = "svc1", ApiKey = "test-key",
        });

        var output = await client.ExecuteAsync(new ScoringTable("Col2").AddRow("This is a good day"));
        Assert.Equal(1, output[0].GetInt32("Scored Labels"));
        Assert.Equal(0.87, output[0].GetDouble("Scored Probabilities"));
    }
}
