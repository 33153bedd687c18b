using AzureMl.Client.Batch;
using AzureMl.Client.Gateway;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Client.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AzureMl.Client.Tests.Options;

/// <summary>
/// The one validation idiom of every options type: <c>Validate()</c> lists one message per problem naming the setting
/// and what to use, the public entry points throw <see cref="ArgumentException"/> with all of them, and host start-up
/// reports the same messages.
/// </summary>
public sealed class OptionsValidationTests
{
    private static AzureMlClient Client() => new(new HttpClient(), new AzureMlClientOptions
    {
        Endpoint = new Uri("http://127.0.0.1:9"),
        WorkspaceId = "ws",
        ServiceId = "svc",
    });

    private static void ConfigureClient(AzureMlClientOptions o)
    {
        o.Endpoint = new Uri("https://example.invalid");
        o.WorkspaceId = "ws";
        o.ServiceId = "svc";
    }

    [Fact]
    public void ResilienceOptions_Validate_TimeSpansOutOfRange_NameSettingAndRange()
    {
        var errors = new AzureMlResilienceOptions { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.FromHours(2) }.Validate();

        errors.Should().BeEquivalentTo(
            "BaseDelay must be between 00:00:00.0010000 and 01:00:00.",
            "MaxDelay must be between 00:00:00.0010000 and 01:00:00.");
    }

    [Fact]
    public void ResilienceOptions_Validate_BaseDelayAboveMaxDelay_NamesBoth()
    {
        var errors = new AzureMlResilienceOptions { BaseDelay = TimeSpan.FromMinutes(2), MaxDelay = TimeSpan.FromMinutes(1) }.Validate();

        errors.Should().Equal("BaseDelay must be between 00:00:00.0010000 and MaxDelay (00:01:00) (it is 00:02:00).");
    }

    [Fact]
    public void ResilienceOptions_Validate_CircuitBreakerOff_IgnoresItsSettings()
    {
        var options = new AzureMlResilienceOptions { CircuitBreakerFailureRatio = 0, CircuitBreakerMinimumThroughput = 0 };

        options.Validate().Should().HaveCount(2);
        options.EnableCircuitBreaker = false;
        options.Validate().Should().BeEmpty();
    }

    [Fact]
    public void ValidateOnStart_InvalidResilience_ReportsTheMessagesOfValidate()
    {
        var invalid = new AzureMlResilienceOptions { MaxDelay = TimeSpan.FromHours(2), BaseDelay = TimeSpan.FromSeconds(1), MaxRetryAttempts = -1 };
        var services = new ServiceCollection();
        services.AddAzureMlClient("scoring", ConfigureClient).ConfigureResilience(o =>
        {
            o.MaxDelay = invalid.MaxDelay;
            o.BaseDelay = invalid.BaseDelay;
            o.MaxRetryAttempts = invalid.MaxRetryAttempts;
        });
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            invalid.Validate().Select(e => "AzureMl client 'scoring' resilience: " + e));
        invalid.Validate().Should().Contain("MaxRetryAttempts must be between 0 and 10.");
    }

    [Fact]
    public void BulkScoringOptions_Validate_ListsEveryProblem()
    {
        var errors = new BulkScoringOptions
        {
            ChunkSize = 10,
            MinChunkSize = 20,
            TargetCallDuration = TimeSpan.FromMilliseconds(1),
            MaxThrottleDelay = TimeSpan.FromMinutes(1),
            ThrottleBackoff = TimeSpan.FromMinutes(2),
            OutputName = "",
        }.Validate();

        errors.Should().BeEquivalentTo(
            "TargetCallDuration must be between 00:00:00.0100000 and 00:10:00.",
            "MinChunkSize is 20: use 1 to ChunkSize (10).",
            "ThrottleBackoff is 00:02:00: use 1 millisecond to MaxThrottleDelay (00:01:00).",
            "OutputName is empty: use null for the default output, or a name such as output2.");
    }

    [Fact]
    public async Task RunBatchJobAsync_SeveralProblems_ThrowsListingEachBeforeAnyCall()
    {
        var options = new BatchRunOptions
        {
            InputName = " ",
            SasLifetime = TimeSpan.Zero,
            CleanupTimeout = TimeSpan.FromHours(2),
            Polling = new BatchPollingOptions { InitialDelay = TimeSpan.Zero, BackoffFactor = double.NaN },
        };

        var act = () => Client().RunBatchJobAsync(BatchJobInput.FromStream(new MemoryStream([1])), options);

        var ex = (await act.Should().ThrowAsync<ArgumentException>()).Which;
        ex.ParamName.Should().Be("options");
        options.Validate().Should().BeEquivalentTo(
            "Set StorageConnectionString or Container: the input is staged in blob storage the service can read.",
            "InputName is required (usually input1).",
            "CleanupTimeout must be between 00:00:01 and 01:00:00.",
            "SasLifetime must be positive; make it longer than the job takes.",
            "Polling.InitialDelay must be positive (it was 00:00:00).",
            "Polling.BackoffFactor must be between 1 and 10.");
        ex.Message.Should().StartWith("Invalid BatchRunOptions: ");
        foreach (var error in options.Validate())
        {
            ex.Message.Should().Contain(error);
        }
    }

    [Fact]
    public async Task WaitForCompletionAsync_InvalidPolling_ThrowsNamingTheSettings()
    {
        var polling = new BatchPollingOptions { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(5), BackoffFactor = 11 };

        var act = () => Client().GetBatchJob("job1").WaitForCompletionAsync(polling, CancellationToken.None);

        (await act.Should().ThrowAsync<ArgumentException>()).Where(e => e.ParamName == "polling")
            .WithMessage("Invalid BatchPollingOptions: *BackoffFactor must be between 1 and 10*MaxDelay (00:00:05) must be at least InitialDelay (00:00:10).*");
    }

    [Fact]
    public void GatewayOptions_Validate_KeysAreOptionalOutsideOptionKeys()
    {
        new AzureMlGatewayOptions().Validate().Should().BeEmpty();
        new AzureMlGatewayOptions { HeaderName = "x y", SecondaryKey = "a\nb" }.Validate().Should().Equal(
            "HeaderName must be a valid HTTP header name, e.g. Ocp-Apim-Subscription-Key.",
            "SecondaryKey contains a line break or control character: copy the key again without them.");
    }

    [Fact]
    public void ValidateOnStart_KeysFromOptions_ReportsEachProblemOnce()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(ConfigureClient).AddSubscriptionKey((AzureMlGatewayOptions o) => o.HeaderName = "x y");
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "AzureMl client gateway: HeaderName must be a valid HTTP header name, e.g. Ocp-Apim-Subscription-Key.",
            "AzureMl client gateway: PrimaryKey is required: set it to the API Management subscription's primary key.");
    }

    [Fact]
    public void ValidateOnStart_OwnKeyProvider_NeedsNoPrimaryKey()
    {
        var services = new ServiceCollection();
        services.AddAzureMlClient(ConfigureClient).AddSubscriptionKey(_ => new FixedSubscriptionKeyProvider("k"), o => o.SendKeyInQuery = true);
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IStartupValidator>().Validate();

        act.Should().NotThrow();
    }

    [Fact]
    public void SubscriptionKeyHandler_BadPlacement_ThrowsNamingTheSetting()
    {
        var act = () => new SubscriptionKeyHandler(new FixedSubscriptionKeyProvider("k"), new AzureMlGatewayOptions { SendKeyInQuery = true, QueryParameterName = "a&b" });

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "options")
            .WithMessage("Invalid AzureMlGatewayOptions: QueryParameterName must be a plain query parameter name, e.g. subscription-key.*");
    }

    [Fact]
    public void OnlineEndpointClient_NoScoringUri_ThrowsWithTheUriShape()
    {
        var act = () => new OnlineEndpointClient(new HttpClient(), new OnlineEndpointOptions { SingleColumnName = " " });

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "options").Which.Message.Should().Be(
            "Invalid OnlineEndpointOptions: ScoringUri is required: the endpoint's scoring URI (https://{endpoint}.{region}.inference.ml.azure.com/score) or an API Management URL in front of it. " +
            "SingleColumnName must not be empty. (Parameter 'options')");
    }

    [Fact]
    public void AzureMlClient_WhitespaceApiVersion_ThrowsNamingTheVersion()
    {
        var act = () => new AzureMlClient(new HttpClient(), new AzureMlClientOptions { Endpoint = new Uri("https://example.invalid"), WorkspaceId = "ws", ServiceId = "svc", ApiVersion = "  " });

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "options")
            .WithMessage("Invalid AzureMlClientOptions: ApiVersion is required; the classic service accepts 2.0.*");
    }
}
