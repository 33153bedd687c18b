using AzureMl.Client.Internal;
using AzureMl.Client.Resilience;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class AzureMlServiceCollectionExtensions
{
    // Header values HttpClientFactory's logger may write if an app adds it back: everything else is redacted.
    private static readonly HashSet<string> LoggableHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Accept", "Content-Type", "Content-Length", "Date", "Retry-After", "x-ms-request-id", "request-id", "apim-request-id",
    };

    /// <summary>The HTTP pipeline every client starts with: default resilience, whole-body reads for repeatable operations, no URL logging.</summary>
    private static void AddPipelineDefaults(IServiceCollection services, string name, IHttpClientBuilder httpClientBuilder)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureMlResilienceOptions>>(new OptionsValidator<AzureMlResilienceOptions>(" resilience", AzureMlResilienceOptionsValidator.Instance)));
        services.AddOptions<AzureMlResilienceOptions>(name).ValidateOnStart();

        // HttpClientFactory's own logger writes request URLs; the client logs allow-listed fields itself (AzureMlLog).
        httpClientBuilder.RemoveAllLoggers();
        httpClientBuilder.RedactLoggedHeaders(header => !LoggableHeaders.Contains(header));

        // The pipeline's timeouts govern; HttpClient's fixed 100 s would cut the total budget short.
        httpClientBuilder.ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        httpClientBuilder.AddResilienceHandler(AzureMlResiliencePipeline.PipelineName, (pipeline, context) =>
        {
            context.EnableReloads<AzureMlResilienceOptions>(name);
            var options = context.GetOptions<AzureMlResilienceOptions>(name);
            var sp = context.ServiceProvider;

            // The client logs each retry itself (AzureMlLog.RetryScheduled, allow-listed fields). Polly's own lines for the
            // same retry (OnRetry, and the handled ExecutionAttempt) drop to Debug, so a 429 is one line at Information,
            // not three; Polly's metrics are unchanged. Only this pipeline's telemetry is touched, not the app's defaults.
            if (sp.GetService<IOptions<TelemetryOptions>>()?.Value is { } telemetry)
            {
                pipeline.ConfigureTelemetry(new TelemetryOptions(telemetry)
                {
                    SeverityProvider = args => AzureMlResiliencePipeline.Severity(args, telemetry.SeverityProvider),
                });
            }

            AzureMlResiliencePipeline.Configure(
                pipeline,
                options,
                sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetService<ILoggerFactory>()?.CreateLogger(AzureMlDiagnostics.LogCategory));
        });
        httpClientBuilder.AddHttpMessageHandler(() => new ResponseBufferingHandler());
    }
}
