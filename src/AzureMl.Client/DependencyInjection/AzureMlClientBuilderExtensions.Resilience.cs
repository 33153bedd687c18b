using AzureMl.Client.Resilience;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures a registered AzureMl client: gateway keys and resilience.</summary>
public static partial class AzureMlClientBuilderExtensions
{
    /// <summary>Changes the settings of the client's default resilience pipeline.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Changes the settings; the defaults are documented on <see cref="AzureMlResilienceOptions"/>.</param>
    /// <returns>The same builder.</returns>
    public static IAzureMlClientBuilder ConfigureResilience(this IAzureMlClientBuilder builder, Action<AzureMlResilienceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<AzureMlResilienceOptions>(builder.Name).Configure(configure);
        return builder;
    }

    /// <summary>
    /// Binds the settings of the client's default resilience pipeline to a configuration section; reloads of the
    /// section apply to later calls.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="section">The section holding <see cref="AzureMlResilienceOptions"/> properties, e.g. <c>Configuration.GetSection("AzureMl:Resilience")</c>.</param>
    /// <returns>The same builder.</returns>
    public static IAzureMlClientBuilder ConfigureResilience(this IAzureMlClientBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.AddOptions<AzureMlResilienceOptions>(builder.Name).Bind(section);
        return builder;
    }

    /// <summary>
    /// Turns the client's default resilience pipeline off (no retries, timeouts or circuit breaker) and gives the
    /// <see cref="HttpClient"/> back its usual 100 s timeout. Add your own with
    /// <c>builder.HttpClientBuilder.AddResilienceHandler(…)</c>; keep job submit and start out of its retries
    /// (read <see cref="AzureMl.Client.AzureMlRequestOptions.Operation"/> from the request).
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The same builder.</returns>
    public static IAzureMlClientBuilder RemoveResilience(this IAzureMlClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AzureMlResilienceOptions>(builder.Name).Configure(o => o.Removed = true);
        builder.HttpClientBuilder.ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(100));
        return builder;
    }
}
