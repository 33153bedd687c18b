using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Emulator.Tests.Gateway;

[Collection(EmulatorCollection.Name)]
public sealed class GatewayTests(AzuriteFixture fixture)
{
    private const string Header = "Ocp-Apim-Subscription-Key";

    private Task<AzureMlEmulator> StartAsync(Action<EmulatorGatewayOptions>? configure = null, TimeProvider? time = null) =>
        fixture.StartEmulatorAsync(o =>
        {
            o.Gateway = new EmulatorGatewayOptions();
            configure?.Invoke(o.Gateway);
            o.TimeProvider = time ?? TimeProvider.System;
        });

    private static Task<HttpResponseMessage> ExecuteAsync(AzureMlEmulator emulator, string? key, string query = "api-version=2.0", string header = Header, string? apiKey = "emulator-api-key") =>
        EmulatorHttp.SendAsync(HttpMethod.Post, emulator.Url("execute", query), EmulatorHttp.WalkthroughBody, apiKey, r =>
        {
            if (key is not null)
            {
                r.Headers.Add(header, key);
            }
        });

    [Fact]
    public async Task ServiceRoot_WithGateway_HasSuffix()
    {
        await using var emulator = await StartAsync();

        emulator.ServiceRoot.Should().Be(new Uri(emulator.BaseAddress, "azureml-demo/"));
        emulator.ServiceUri.ToString().Should().StartWith(emulator.BaseAddress + "azureml-demo/workspaces/");
        emulator.PrimarySubscriptionKey.Should().Be("emulator-primary-subscription-key");
        emulator.SecondarySubscriptionKey.Should().Be("emulator-secondary-subscription-key");
    }

    [Fact]
    public async Task Execute_PrimaryOrSecondaryKeyInHeader_Ok()
    {
        await using var emulator = await StartAsync();

        using var primary = await ExecuteAsync(emulator, emulator.PrimarySubscriptionKey);
        using var secondary = await ExecuteAsync(emulator, emulator.SecondarySubscriptionKey);

        primary.StatusCode.Should().Be(HttpStatusCode.OK);
        secondary.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Execute_KeyInQuery_Ok()
    {
        await using var emulator = await StartAsync();

        using var response = await ExecuteAsync(emulator, null, $"api-version=2.0&subscription-key={emulator.PrimarySubscriptionKey}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Execute_HeaderPresent_QueryIgnored()
    {
        await using var emulator = await StartAsync();

        using var response = await ExecuteAsync(emulator, "wrong", $"api-version=2.0&subscription-key={emulator.PrimarySubscriptionKey}");

        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized, "Access denied due to invalid subscription key");
    }

    [Fact]
    public async Task Execute_MissingKey_401WithWwwAuthenticate()
    {
        await using var emulator = await StartAsync();

        using var response = await ExecuteAsync(emulator, null);

        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized, "Access denied due to missing subscription key");
        response.Headers.WwwAuthenticate.ToString().Should().Contain("AzureApiManagementKey").And.Contain("name=\"Ocp-Apim-Subscription-Key\"").And.Contain("type=\"header\"");
        emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(1);
    }

    [Fact]
    public async Task Execute_InvalidKey_401()
    {
        await using var emulator = await StartAsync();

        using var response = await ExecuteAsync(emulator, "not-a-key");

        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized, "Access denied due to invalid subscription key");
        response.Headers.WwwAuthenticate.Should().BeEmpty();
    }

    [Fact]
    public async Task Execute_CustomHeaderName_Used()
    {
        await using var emulator = await StartAsync(g => g.HeaderName = "x-api-key");

        using var custom = await ExecuteAsync(emulator, emulator.PrimarySubscriptionKey, header: "x-api-key");
        using var standard = await ExecuteAsync(emulator, emulator.PrimarySubscriptionKey);

        custom.StatusCode.Should().Be(HttpStatusCode.OK);
        standard.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Execute_BackendError_PassedThroughInServiceShape()
    {
        await using var emulator = await StartAsync();

        using var response = await ExecuteAsync(emulator, emulator.PrimarySubscriptionKey, apiKey: "wrong-ml-key");

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.Unauthorized, "Unauthorized", "ScoreRequestUnauthorized");
    }

    [Fact]
    public async Task Execute_InjectApiKey_CallerSendsNoMlKey()
    {
        await using var emulator = await StartAsync(g => g.InjectApiKey = true);

        using var response = await ExecuteAsync(emulator, emulator.PrimarySubscriptionKey, apiKey: null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_OutsideSuffixOrUnknownOperation_404GatewayShape()
    {
        await using var emulator = await StartAsync();

        using var unsuffixed = await EmulatorHttp.SendAsync(HttpMethod.Post, new Uri(emulator.BaseAddress, $"workspaces/{emulator.WorkspaceId}/services/{emulator.ServiceId}/execute?api-version=2.0"), EmulatorHttp.WalkthroughBody);
        using var unknown = await EmulatorHttp.SendAsync(HttpMethod.Get, new Uri(emulator.ServiceRoot, "nothing/here"), configure: r => r.Headers.Add(Header, emulator.PrimarySubscriptionKey));

        await unsuffixed.ShouldBeGatewayErrorAsync(HttpStatusCode.NotFound, "Resource not found");
        await unknown.ShouldBeGatewayErrorAsync(HttpStatusCode.NotFound, "Resource not found");
    }

    [Fact]
    public async Task Execute_OverRateLimit_429WithRetryAfterUntilWindowEnds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emulator = await StartAsync(g =>
        {
            g.RateLimitCalls = 2;
            g.RateLimitPeriod = TimeSpan.FromSeconds(10);
        }, time);
        var key = emulator.PrimarySubscriptionKey;

        (await ExecuteAsync(emulator, key)).StatusCode.Should().Be(HttpStatusCode.OK);
        time.Advance(TimeSpan.FromSeconds(3));
        (await ExecuteAsync(emulator, key)).StatusCode.Should().Be(HttpStatusCode.OK);
        using (var limited = await ExecuteAsync(emulator, key))
        {
            await limited.ShouldBeGatewayErrorAsync(HttpStatusCode.TooManyRequests, "Rate limit is exceeded. Try again in 7 seconds.");
            limited.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(7));
        }

        (await ExecuteAsync(emulator, emulator.SecondarySubscriptionKey)).StatusCode.Should().Be(HttpStatusCode.OK, "the limit is per key");
        time.Advance(TimeSpan.FromSeconds(7));
        (await ExecuteAsync(emulator, key)).StatusCode.Should().Be(HttpStatusCode.OK);
        emulator.ReceivedCount(EmulatorRoute.Execute).Should().Be(5);
    }

    [Fact]
    public async Task Execute_OverQuota_403WithRetryAfter()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emulator = await StartAsync(g =>
        {
            g.QuotaCalls = 1;
            g.QuotaPeriod = TimeSpan.FromHours(2);
        }, time);
        var key = emulator.PrimarySubscriptionKey;

        (await ExecuteAsync(emulator, key)).StatusCode.Should().Be(HttpStatusCode.OK);
        time.Advance(TimeSpan.FromMinutes(30));
        using (var over = await ExecuteAsync(emulator, key))
        {
            await over.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden, "Out of call volume quota. Quota will be replenished in 01:30:00.");
            over.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5400));
        }

        time.Advance(TimeSpan.FromMinutes(90));
        (await ExecuteAsync(emulator, key)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Jobs_ThroughGateway_Served()
    {
        await using var emulator = await StartAsync();

        using var response = await EmulatorHttp.SendAsync(HttpMethod.Get, emulator.Url("jobs/unknown"), configure: r => r.Headers.Add(Header, emulator.PrimarySubscriptionKey));

        await response.ShouldBeServiceErrorAsync(HttpStatusCode.NotFound, "NotFound", "JobNotFound");
    }

    [Fact]
    public async Task StartAsync_InvalidRatePeriod_Throws()
    {
        var options = new AzureMlEmulatorOptions { Gateway = new EmulatorGatewayOptions { RateLimitCalls = 1, RateLimitPeriod = TimeSpan.FromMinutes(10) }, StorageConnectionString = "UseDevelopmentStorage=true" };

        var act = () => AzureMlEmulator.StartAsync(options);

        (await act.Should().ThrowAsync<ArgumentException>()).Where(e => e.ParamName == "options")
            .WithMessage("*Gateway.RateLimitPeriod must be between 00:00:01 and 00:05:00*");
    }
}
