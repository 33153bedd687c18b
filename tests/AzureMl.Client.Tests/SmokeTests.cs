namespace AzureMl.Client.Tests;

public class SmokeTests
{
    [Fact]
    public void Constructor_ValidOptions_BuildsServiceUri()
    {
        var client = new AzureMlClient(new HttpClient(), new AzureMlClientOptions
        {
            Endpoint = new Uri("https://ussouthcentral.services.azureml.net"),
            WorkspaceId = "ws1",
            ServiceId = "svc1",
            ApiKey = "k",
        });
        client.ServiceUri.Should().Be(new Uri("https://ussouthcentral.services.azureml.net/workspaces/ws1/services/svc1"));
    }
}
