using AzureMl.Client.Tests.RequestResponse;

namespace AzureMl.Client.Tests.Options;

public sealed class AzureMlClientOptionsTests : IDisposable
{
    private readonly FakeService _server = new();

    public void Dispose() => _server.Dispose();

    private ArgumentException Refused(Action<AzureMlClientOptions> configure)
    {
        var act = () => _server.CreateClient(configure);
        var ex = act.Should().Throw<ArgumentException>().Which;
        _server.WireMockLog.Should().BeEmpty();
        ex.Message.Should().NotContain(TestIds.ApiKey);
        return ex;
    }

    [Theory]
    [InlineData(null, "*ServiceId is required*")]
    [InlineData("", "*ServiceId is required*")]
    [InlineData("a/b", "*ServiceId must not contain '/'*")]
    [InlineData("..", "*ServiceId must not contain '..'*")]
    [InlineData("a..b", "*ServiceId must not contain '..'*")]
    [InlineData("a?b", "*ServiceId must not contain '?'*")]
    [InlineData("a%2Fb", "*ServiceId must not contain '%'*")]
    [InlineData("a b", "*ServiceId must not contain spaces or control characters*")]
    [InlineData("a\tb", "*ServiceId must not contain spaces or control characters*")]
    [InlineData("a\u0001b", "*ServiceId must not contain spaces or control characters*")]
    [InlineData("a#b", "*ServiceId must not contain '#'*")]
    [InlineData("a\\b", "*ServiceId must not contain '\\'*")]
    public void Constructor_BadServiceId_Throws(string? id, string message)
    {
        Refused(o => o.ServiceId = id).Message.Should().Match(message);
    }

    [Theory]
    [InlineData(null, "*WorkspaceId is required*")]
    [InlineData("", "*WorkspaceId is required*")]
    [InlineData("ws/../x", "*WorkspaceId must not contain*")]
    [InlineData("ws?x=1", "*WorkspaceId must not contain '?'*")]
    [InlineData("ws\r\n", "*WorkspaceId must not contain spaces or control characters*")]
    public void Constructor_BadWorkspaceId_Throws(string? id, string message)
    {
        Refused(o => o.WorkspaceId = id).Message.Should().Match(message);
    }

    [Theory]
    [InlineData(null, "*SubscriptionId is required*")]
    [InlineData("sub/1", "*SubscriptionId must not contain '/'*")]
    [InlineData("sub 1", "*SubscriptionId must not contain spaces*")]
    public void Constructor_BadSubscriptionId_Throws(string? id, string message)
    {
        Refused(o =>
        {
            o.PathStyle = AzureMlPathStyle.Subscription;
            o.SubscriptionId = id;
        }).Message.Should().Match(message);
    }

    [Theory]
    [InlineData("relative/path", "*Endpoint must be an absolute http or https URI*")]
    [InlineData("ftp://example.test/", "*Endpoint must be an absolute http or https URI*")]
    [InlineData("file:///tmp/x", "*Endpoint must be an absolute http or https URI*")]
    [InlineData("https://example.test/?a=1", "*Endpoint must not carry a query or fragment*")]
    [InlineData("https://example.test/#frag", "*Endpoint must not carry a query or fragment*")]
    public void Constructor_OddEndpoint_Throws(string endpoint, string message)
    {
        Refused(o => o.Endpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute)).Message.Should().Match(message);
    }

    [Fact]
    public void Constructor_NoEndpoint_Throws()
    {
        Refused(o => o.Endpoint = null).Message.Should().Contain("Endpoint is required");
    }

    [Fact]
    public void Constructor_ApiKeyWithLineBreak_ThrowsWithoutShowingKey()
    {
        Refused(o => o.ApiKey = TestIds.ApiKey + "\r\nX-Evil: 1").Message.Should().Contain("ApiKey contains a line break");
    }

    [Theory]
    [InlineData("")]
    [InlineData("2.0&x=1")]
    [InlineData("2.0#")]
    public void Constructor_BadApiVersion_Throws(string version)
    {
        Refused(o => o.ApiVersion = version).Message.Should().Contain("ApiVersion");
    }

    [Fact]
    public void Validate_SeveralProblems_NamesEach()
    {
        var errors = new AzureMlClientOptions { ServiceId = "a/b" }.Validate();

        errors.Should().HaveCount(3);
        errors.Should().Contain(e => e.StartsWith("Endpoint is required"));
        errors.Should().Contain(e => e.StartsWith("WorkspaceId is required"));
        errors.Should().Contain(e => e.StartsWith("ServiceId must not contain '/'"));
    }

    [Fact]
    public void ToString_WithApiKey_HidesIt()
    {
        var options = _server.Options();

        options.ToString().Should().NotContain(TestIds.ApiKey).And.Contain("ApiKey = ***");
    }

    [Fact]
    public void Clone_Changed_DoesNotAffectBuiltClient()
    {
        var options = _server.Options();
        var client = new AzureMlClient(_server.CreateHttpClient(), options);
        options.ServiceId = "other";

        client.ServiceId.Should().Be(TestIds.ServiceId);
        client.ServiceUri.AbsolutePath.Should().EndWith("/services/" + TestIds.ServiceId);
    }
}
