using AzureMl.Client.Tests.RequestResponse;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Client.Tests.Errors;

public sealed class ExecuteErrorMappingTests : IDisposable
{
    private readonly FakeService _server = new();

    public void Dispose() => _server.Dispose();

    private static string ServiceError(string code, string message, string detailCode, string? target = null, string? detailMessage = null)
    {
        var targetPart = target is null ? string.Empty : ",\"target\":\"" + target + "\"";
        return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"details\":[{\"code\":\"" + detailCode + "\"" + targetPart
            + ",\"message\":\"" + (detailMessage ?? detailCode + " happened.") + "\"}]}}";
    }

    private async Task<AzureMlException> FailAsync(int status, string? body, params (string, string)[] headers)
    {
        _server.Always(FakeAnswer.With(status, body, headers));
        var client = _server.CreateClient();
        var ex = (await FluentActions.Awaiting(() => client.ExecuteAsync(new ScoringTable("Col2").AddRow("x")))
            .Should().ThrowAsync<AzureMlException>()).Which;
        ex.Status.Should().Be(status);
        ex.Operation.Should().Be(AzureMlOperation.Execute);
        ex.Message.Should().NotContain(TestIds.ApiKey);
        return ex;
    }

    public static TheoryData<int, string, string, string?, string> ServiceErrors => new()
    {
        { 400, "BadArgument", "MissingRequiredGlobalParameters", null, "MissingRequiredGlobalParameters happened." },
        { 400, "BadUserArgument", "InputParseError", "input1", "input1: InputParseError happened." },
        { 401, "Unauthorized", "ScoreRequestUnauthorized", null, "Check the web service API key (AzureMlClientOptions.ApiKey)." },
        { 404, "NotFound", "WebServiceNotFound", null, "Check Endpoint, WorkspaceId/SubscriptionId and ServiceId." },
        { 408, "RequestTimeout", "ScoreRequestTimeout", null, "use a batch job (BES) for long work" },
        { 413, "MemoryQuotaViolation", "OutOfMemoryLimit", null, "Send fewer rows per call." },
        { 500, "InternalError", "ModuleExecutionError", null, "ModuleExecutionError happened." },
        { 503, "ServiceUnavailable", "TooManyConcurrentRequests", null, "The service is throttling" },
        { 504, "GatewayTimeout", "BackendScoreTimeout", null, "use a batch job (BES) for long work" },
    };

    [Theory]
    [MemberData(nameof(ServiceErrors))]
    public async Task ExecuteAsync_ServiceErrorBody_MapsCodesDetailsAndRequestId(int status, string code, string detail, string? target, string hint)
    {
        var ex = await FailAsync(status, ServiceError(code, "Invalid argument provided.", detail, target), ("Content-Type", "application/json"), ("x-ms-request-id", "req-" + status));

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Service);
        ex.ErrorCode.Should().Be(code);
        ex.DetailCode.Should().Be(detail);
        ex.Details.Should().ContainSingle().Which.Target.Should().Be(target);
        ex.RequestId.Should().Be("req-" + status);
        ex.ServerMessage.Should().Be("Invalid argument provided.");
        ex.RetryAfter.Should().BeNull();
        ex.IsOutcomeUnknown.Should().BeFalse("scoring is safe to repeat");
        ex.IsThrottling.Should().Be(status == 503);
        ex.Message.Should().StartWith($"Execute failed: the service answered {status} ");
        ex.Message.Should().Contain($"({code}/{detail}).");
        ex.Message.Should().Contain("Invalid argument provided.");
        ex.Message.Should().Contain(hint);
        ex.Message.Should().EndWith($"Request id: req-{status}.");
    }

    [Fact]
    public async Task ExecuteAsync_ServiceBadArgument_PinsMessage()
    {
        var ex = await FailAsync(400, ServiceError("BadArgument", "Invalid argument provided.", "MissingRequiredGlobalParameters", "Threshold", "Required parameter 'Threshold' is missing."), ("x-ms-request-id", "abc"));

        ex.Message.Should().Be("Execute failed: the service answered 400 Bad Request (BadArgument/MissingRequiredGlobalParameters). Invalid argument provided. Threshold: Required parameter 'Threshold' is missing. Request id: abc.");
    }

    [Fact]
    public async Task ExecuteAsync_ServiceThrottledWithRetryAfter_ReportsWait()
    {
        var ex = await FailAsync(503, ServiceError("ServiceUnavailable", "Service is temporarily unavailable.", "RequestThrottled"), ("Retry-After", "7"));

        ex.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        ex.IsThrottling.Should().BeTrue();
        ex.Message.Should().Contain("The server asked to wait 7 s.");
    }

    [Fact]
    public async Task ExecuteAsync_GatewayMissingKey401_IsGatewaySource()
    {
        var ex = await FailAsync(401, """{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }""",
            ("WWW-Authenticate", "AzureApiManagementKey realm=\"https://contoso.azure-api.net/azureml-demo\",name=\"Ocp-Apim-Subscription-Key\",type=\"header\""),
            ("apim-request-id", "apim-1"));

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
        ex.ErrorCode.Should().BeNull();
        ex.Details.Should().BeEmpty();
        ex.RequestId.Should().Be("apim-1");
        ex.ServerMessage.Should().StartWith("Access denied due to missing subscription key.");
        ex.Message.Should().StartWith("Execute failed: the API Management gateway answered 401 Unauthorized. Access denied due to missing subscription key.");
        ex.Message.Should().Contain("Check the API Management subscription key.");
    }

    [Fact]
    public async Task ExecuteAsync_GatewayQuota403_NotThrottlingWithRetryAfter()
    {
        var ex = await FailAsync(403, """{"statusCode":403,"message":"Out of call volume quota. Quota will be replenished in 02:00:00."}""", ("Retry-After", "7200"));

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
        ex.RetryAfter.Should().Be(TimeSpan.FromHours(2));
        ex.IsThrottling.Should().BeFalse();
        ex.Message.Should().Contain("Out of call volume quota").And.Contain("not retried automatically");
    }

    [Fact]
    public async Task ExecuteAsync_GatewayRateLimit429_ReportsRetryAfter()
    {
        var ex = await FailAsync(429, """{"statusCode":429,"message":"Rate limit is exceeded. Try again in 12 seconds."}""", ("Retry-After", "12"), ("x-ms-request-id", "rl-1"));

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
        ex.RetryAfter.Should().Be(TimeSpan.FromSeconds(12));
        ex.IsThrottling.Should().BeTrue();
        ex.RequestId.Should().Be("rl-1");
        ex.Message.Should().Be("Execute failed: the API Management gateway answered 429 Too Many Requests. Rate limit is exceeded. Try again in 12 seconds. The service is throttling; slow down or lower concurrency. The server asked to wait 12 s. Request id: rl-1.");
    }

    [Fact]
    public async Task ExecuteAsync_RetryAfterAsDate_UsesClientClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        _server.Always(FakeAnswer.With(429, """{"statusCode":429,"message":"Rate limit is exceeded."}""", ("Retry-After", "Thu, 01 Jan 2026 12:00:30 GMT")));
        var client = _server.CreateClient(timeProvider: clock);

        var ex = (await FluentActions.Awaiting(() => client.ExecuteAsync(new ScoringTable("a").AddRow("1"))).Should().ThrowAsync<AzureMlException>()).Which;

        ex.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ExecuteAsync_TextBody_KeepsTextAsMessage()
    {
        var ex = await FailAsync(502, "Upstream connect error or disconnect/reset before headers.", ("Content-Type", "text/plain"));

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Unknown);
        ex.ErrorCode.Should().BeNull();
        ex.ServerMessage.Should().Be("Upstream connect error or disconnect/reset before headers.");
        ex.Message.Should().Be("Execute failed: the server answered 502 Bad Gateway. Upstream connect error or disconnect/reset before headers.");
    }

    [Fact]
    public async Task ExecuteAsync_HtmlBody_SaysAProxyAnswered()
    {
        var ex = await FailAsync(503, "<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>", ("Content-Type", "text/html"));

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Unknown);
        ex.Message.Should().Contain("The body was HTML, not a service error (a proxy or load balancer may have answered)");
        ex.Message.Should().NotContain("<html>");
        ex.IsThrottling.Should().BeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_EmptyBody_UsesStatusOnly()
    {
        var ex = await FailAsync(500, null, ("x-ms-request-id", "empty-1"));

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Unknown);
        ex.ErrorCode.Should().BeNull();
        ex.ServerMessage.Should().BeNull();
        ex.Message.Should().Be("Execute failed: the server answered 500 Internal Server Error. Request id: empty-1.");
    }

    [Fact]
    public async Task ExecuteSwaggerAsync_ServiceError_MapsLikeTableForm()
    {
        _server.Always(FakeAnswer.With(400, ServiceError("BadArgument", "Invalid argument provided.", "InvalidInputNames", "input9")));
        var client = _server.CreateClient();

        var ex = (await FluentActions.Awaiting(() => client.ExecuteSwaggerAsync([new Dictionary<string, string?> { ["a"] = "1" }]))
            .Should().ThrowAsync<AzureMlException>()).Which;

        ex.DetailCode.Should().Be("InvalidInputNames");
        ex.Details[0].Target.Should().Be("input9");
    }

    [Fact]
    public async Task ExecuteAsync_ServerMessageWithSecret_IsRedacted()
    {
        var ex = await FailAsync(401, $$$"""{"error":{"code":"Unauthorized","message":"Bad header Bearer {{{TestIds.ApiKey}}}","details":[]}}""");

        ex.Message.Should().NotContain(TestIds.ApiKey).And.Contain("***");
    }

    [Fact]
    public async Task ExecuteAsync_ConnectionRefused_IsTransportFailure()
    {
        using var closed = new FakeService(Transport.ClosedPort);
        var client = closed.CreateClient();

        var ex = (await FluentActions.Awaiting(() => client.ExecuteAsync(new ScoringTable("a").AddRow("1"))).Should().ThrowAsync<AzureMlException>()).Which;

        ex.ErrorSource.Should().Be(AzureMlErrorSource.Transport);
        ex.Status.Should().Be(0);
        ex.IsOutcomeUnknown.Should().BeFalse();
    }
}
