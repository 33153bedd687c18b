using Microsoft.Extensions.DependencyInjection;
using AzureMl.Client.Tests.Gateway;
using AzureMl.Client.Tests.Secrets;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AzureMl.Client.Tests.Resilience;

public enum Fault
{
    ServiceUnavailable,
    ServiceUnavailableRetryAfterSeconds,
    ServiceUnavailableRetryAfterDate,
    GatewayRateLimitRetryAfter,
    GatewayRateLimitBeyondBudget,
    GatewayQuota,
    InternalServerError,
    BadGateway,
    GatewayTimeout,
    ConnectionResetBeforeAnswer,
    ConnectionResetMidBody,
    MalformedJson,
    TruncatedBody,
    SlowerThanAttemptTimeout,
}

public sealed class FaultMatrixTests
{
    internal const string GatewayRateLimitBody = """{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 30 seconds." }""";
    internal const string GatewayQuotaBody = """{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 02:00:00." }""";
    internal const string ServiceThrottledBody = """{ "error": { "code": "ServiceUnavailable", "message": "Service is temporarily unavailable.", "details": [ { "code": "TooManyConcurrentRequests", "message": "Too many concurrent requests." } ] } }""";
    internal const string InternalErrorBody = """{ "error": { "code": "InternalError", "message": "The request failed." } }""";

    private static readonly AzureMlOperation[] Operations =
        [AzureMlOperation.Execute, AzureMlOperation.SubmitJob, AzureMlOperation.StartJob, AzureMlOperation.GetJobStatus, AzureMlOperation.DeleteJob, AzureMlOperation.Score];

    public static TheoryData<Fault, AzureMlOperation> Cells()
    {
        var data = new TheoryData<Fault, AzureMlOperation>();
        foreach (var fault in Enum.GetValues<Fault>())
        {
            foreach (var op in Operations)
            {
                data.Add(fault, op);
            }
        }

        return data;
    }

    internal static bool UsesFakeTime(Fault fault) => fault is Fault.ServiceUnavailableRetryAfterSeconds or Fault.ServiceUnavailableRetryAfterDate
        or Fault.GatewayRateLimitRetryAfter or Fault.GatewayRateLimitBeyondBudget or Fault.GatewayQuota;

    internal static FakeService CreateService(Fault fault, Action<IAzureMlClientBuilder>? configure = null)
    {
        if (UsesRawServer(fault))
        {
            return new FakeService(Transport.Socket, configure: configure)
                .Always(FakeAnswer.Cut(fault == Fault.ConnectionResetMidBody ? WireEnd.ResetMidBody : WireEnd.ResetBeforeAnswer));
        }

        var time = UsesFakeTime(fault) ? new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero)) : null;
        return new FakeService(Transport.WireMock, time, configure, o =>
        {
            if (fault == Fault.SlowerThanAttemptTimeout)
            {
                o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            }
        });
    }

    internal static void Arrange(FakeService host, Fault fault, AzureMlOperation operation)
    {
        var (method, _, path) = FakeService.Route(operation);
        var response = Response.Create();
        switch (fault)
        {
            case Fault.ServiceUnavailable:
                response.WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody(ServiceThrottledBody);
                break;
            case Fault.ServiceUnavailableRetryAfterSeconds:
                response.WithStatusCode(503).WithHeader("Retry-After", "30").WithHeader("Content-Type", "application/json").WithBody(ServiceThrottledBody);
                break;
            case Fault.ServiceUnavailableRetryAfterDate:
                response.WithStatusCode(503).WithHeader("Retry-After", host.Time!.GetUtcNow().AddSeconds(30).ToString("R")).WithBody(ServiceThrottledBody);
                break;
            case Fault.GatewayRateLimitRetryAfter:
                response.WithStatusCode(429).WithHeader("Retry-After", "30").WithHeader("Content-Type", "application/json").WithBody(GatewayRateLimitBody);
                break;
            case Fault.GatewayRateLimitBeyondBudget:
                response.WithStatusCode(429).WithHeader("Retry-After", "7200").WithHeader("Content-Type", "application/json").WithBody(GatewayRateLimitBody);
                break;
            case Fault.GatewayQuota:
                response.WithStatusCode(403).WithHeader("Retry-After", "7200").WithHeader("Content-Type", "application/json").WithBody(GatewayQuotaBody);
                break;
            case Fault.InternalServerError:
                response.WithStatusCode(500).WithHeader("Content-Type", "application/json").WithBody(InternalErrorBody);
                break;
            case Fault.BadGateway:
                response.WithStatusCode(502).WithBody("<html><body>Bad gateway</body></html>");
                break;
            case Fault.GatewayTimeout:
                response.WithStatusCode(504).WithHeader("Content-Type", "application/json").WithBody("""{ "error": { "code": "GatewayTimeout", "message": "Backend timed out.", "details": [ { "code": "BackendScoreTimeout" } ] } }""");
                break;
            case Fault.MalformedJson:
                response.WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("this is not json");
                break;
            case Fault.TruncatedBody:
                response.WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{\"Results\":{\"output1\":{\"type\":\"table\",\"value\":{\"Values\":[[\"1\"");
                break;
            case Fault.SlowerThanAttemptTimeout:
                response.WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("\"" + TestIds.JobId + "\"").WithDelay(TimeSpan.FromMilliseconds(1500));
                break;
        }

        host.Server!.Given(Request.Create().WithPath(path).UsingMethod(method.Method)).RespondWith(response);
    }

    internal static bool UsesRawServer(Fault fault) => fault is Fault.ConnectionResetBeforeAnswer or Fault.ConnectionResetMidBody;

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task SendAsync_Fault_RetriesOnlyWhatIsSafe(Fault fault, AzureMlOperation operation)
    {
        SecretScanner.EnsureListening();

        // Every cell also runs with gateway keys (in the query for some operations) and checks that no secret leaks.
        var inQuery = operation is AzureMlOperation.Execute or AzureMlOperation.StartJob;
        Action<IAzureMlClientBuilder> keys = b => b.AddSubscriptionKey(o =>
        {
            o.PrimaryKey = SubscriptionKeyHandlerTests.Primary;
            o.SecondaryKey = SubscriptionKeyHandlerTests.Secondary;
            o.SendKeyInQuery = inQuery;
        });
        using var host = CreateService(fault, keys);
        if (!UsesRawServer(fault))
        {
            Arrange(host, fault, operation);
        }

        var started = host.Time?.GetUtcNow();

        var error = await host.CaptureAsync(() => host.RunAsync(operation));

        var idempotent = operation.IsIdempotent();
        var retried = idempotent ? 3 : 1;
        switch (fault)
        {
            case Fault.ServiceUnavailable or Fault.ServiceUnavailableRetryAfterSeconds or Fault.ServiceUnavailableRetryAfterDate:
                (await host.CallsAsync(retried)).Should().Be(retried);
                AssertError(error, 503, outcomeUnknown: false).ErrorSource.Should().Be(operation == AzureMlOperation.Score ? AzureMlErrorSource.Endpoint : AzureMlErrorSource.Service);
                if (fault == Fault.ServiceUnavailableRetryAfterSeconds)
                {
                    ((AzureMlException)error!).RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
                    if (idempotent)
                    {
                        (host.Time!.GetUtcNow() - started!.Value).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(60), "each retry waits for Retry-After");
                    }
                }
                else if (fault == Fault.ServiceUnavailableRetryAfterDate)
                {
                    // The date is fixed: the first retry waits until it, later ones find it past.
                    ((AzureMlException)error!).RetryAfter.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(30));
                    if (idempotent)
                    {
                        (host.Time!.GetUtcNow() - started!.Value).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(29), "the retry waits until the Retry-After date");
                    }
                }

                break;
            case Fault.GatewayRateLimitRetryAfter:
                (await host.CallsAsync(retried)).Should().Be(retried);
                AssertError(error, 429, outcomeUnknown: false).ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
                ((AzureMlException)error!).RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
                if (idempotent)
                {
                    (host.Time!.GetUtcNow() - started!.Value).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(60));
                }

                break;
            case Fault.GatewayRateLimitBeyondBudget:
                (await host.CallsAsync(1)).Should().Be(1);
                AssertError(error, 429, outcomeUnknown: false).RetryAfter.Should().Be(TimeSpan.FromHours(2));
                (host.Time!.GetUtcNow() - started!.Value).Should().BeLessThan(TimeSpan.FromMinutes(5), "a wait beyond the budget fails at once");
                break;
            case Fault.GatewayQuota:
                (await host.CallsAsync(1)).Should().Be(1);
                var quota = AssertError(error, 403, outcomeUnknown: false);
                quota.ErrorSource.Should().Be(AzureMlErrorSource.Gateway);
                quota.RetryAfter.Should().Be(TimeSpan.FromHours(2));
                break;
            case Fault.InternalServerError or Fault.BadGateway or Fault.GatewayTimeout:
                (await host.CallsAsync(retried)).Should().Be(retried);
                AssertError(error, fault switch { Fault.InternalServerError => 500, Fault.BadGateway => 502, _ => 504 }, outcomeUnknown: !idempotent);
                break;
            case Fault.ConnectionResetBeforeAnswer:
                (await host.CallsAsync(retried)).Should().Be(retried);
                AssertError(error, 0, outcomeUnknown: !idempotent).ErrorCode.Should().Be("ConnectionFailure");
                break;
            case Fault.ConnectionResetMidBody when idempotent && FakeService.ReadsBody(operation):
                (await host.CallsAsync(3)).Should().Be(3, "a body cut mid-way is retried for repeatable operations");
                AssertError(error, 0, outcomeUnknown: false).ErrorCode.Should().Be("ConnectionFailure");
                break;
            case Fault.ConnectionResetMidBody or Fault.MalformedJson or Fault.TruncatedBody:
                (await host.CallsAsync(1)).Should().Be(1);
                if (FakeService.ReadsBody(operation))
                {
                    AssertError(error, 200, outcomeUnknown: !idempotent).ErrorCode.Should().Be("InvalidResponseBody");
                }
                else
                {
                    error.Should().BeNull("{0} does not read the body", operation);
                }

                break;
            case Fault.SlowerThanAttemptTimeout:
                (await host.CallsAsync(retried)).Should().Be(retried);
                AssertError(error, 0, outcomeUnknown: !idempotent).ErrorCode.Should().Be("Timeout");
                break;
            default:
                throw new InvalidOperationException("Unhandled fault " + fault);
        }

        host.Calls.Should().BeLessThanOrEqualTo(retried, "submit and start are never sent twice");
        SecretScanner.AssertNoSecrets(host, error);
    }

    private static AzureMlException AssertError(Exception? error, int status, bool outcomeUnknown)
    {
        error.Should().BeOfType<AzureMlException>();
        var ex = (AzureMlException)error!;
        ex.Status.Should().Be(status);
        ex.IsOutcomeUnknown.Should().Be(outcomeUnknown);
        return ex;
    }
}
