using Azure.Core;
using AzureMl.Client.Internal;
using AzureMl.Client.OnlineEndpoints;
using AzureMl.Client.Resilience;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class AzureMlServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default <see cref="IOnlineEndpointClient"/>, configured in code. It gets the same pipeline as the
    /// classic client (resilience, no URL logging) and the endpoint's keys per attempt; the returned builder takes
    /// <c>AddSubscriptionKey</c>, <c>ConfigureResilience</c>, <c>UseEntraCredential</c> and your own handlers.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlOnlineEndpoint(this IServiceCollection services, Action<OnlineEndpointOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var (builder, options) = AddOnlineCore(services, Options.Options.DefaultName);
        options.Configure(configure);
        return builder;
    }

    /// <summary>Registers the default <see cref="IOnlineEndpointClient"/>, bound to a configuration section (reloads apply).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The section holding <see cref="OnlineEndpointOptions"/> properties.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlOnlineEndpoint(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var (builder, options) = AddOnlineCore(services, Options.Options.DefaultName);
        options.Bind(section);
        return builder;
    }

    /// <summary>
    /// Registers a named <see cref="IOnlineEndpointClient"/>, resolved as a keyed service. Names are shared with
    /// <c>AddAzureMlClient</c>: give a classic client and an online client different names.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name and service key.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlOnlineEndpoint(this IServiceCollection services, string name, Action<OnlineEndpointOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var (builder, options) = AddOnlineCore(services, name);
        options.Configure(configure);
        return builder;
    }

    /// <summary>Registers a named, keyed <see cref="IOnlineEndpointClient"/> bound to a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name and service key.</param>
    /// <param name="section">The section holding <see cref="OnlineEndpointOptions"/> properties.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlOnlineEndpoint(this IServiceCollection services, string name, IConfigurationSection section)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(section);
        var (builder, options) = AddOnlineCore(services, name);
        options.Bind(section);
        return builder;
    }

    /// <summary>
    /// Authenticates the online endpoint client with Microsoft Entra tokens from <paramref name="credential"/>
    /// (scope <c>https://ml.azure.com/.default</c>) instead of endpoint keys: cached until shortly before expiry,
    /// refreshed once when the endpoint answers 401.
    /// </summary>
    /// <param name="builder">The builder of an online endpoint client.</param>
    /// <param name="credential">Any credential, e.g. <c>DefaultAzureCredential</c>.</param>
    /// <returns>The builder.</returns>
    public static IAzureMlClientBuilder UseEntraCredential(this IAzureMlClientBuilder builder, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(credential);
        builder.Services.Configure<OnlineCredentialChoice>(builder.Name, o => o.Credential = credential);
        return builder;
    }

    /// <summary>
    /// Authenticates the online endpoint client with the endpoint's <c>aml_token</c>, fetched from its Azure Resource
    /// Manager <c>token</c> operation with <paramref name="managementCredential"/> and cached until its
    /// <c>refreshAfterTimeUtc</c> (see <see cref="OnlineEndpointCredentialHandler.FromAmlToken"/>).
    /// </summary>
    /// <param name="builder">The builder of an online endpoint client.</param>
    /// <param name="endpointResourceId">The endpoint's resource id (<c>/subscriptions/…/onlineEndpoints/{name}</c>).</param>
    /// <param name="managementCredential">A credential for Azure Resource Manager.</param>
    /// <param name="managementEndpoint">The Resource Manager root; <see langword="null"/> for the public cloud.</param>
    /// <returns>The builder.</returns>
    public static IAzureMlClientBuilder UseAmlToken(this IAzureMlClientBuilder builder, string endpointResourceId, TokenCredential managementCredential, Uri? managementEndpoint = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(endpointResourceId);
        ArgumentNullException.ThrowIfNull(managementCredential);
        builder.Services.Configure<OnlineCredentialChoice>(builder.Name, o => o.AmlToken = (endpointResourceId, managementCredential, managementEndpoint));
        return builder;
    }

    private static (IAzureMlClientBuilder Builder, OptionsBuilder<OnlineEndpointOptions> Options) AddOnlineCore(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnlineEndpointOptions>>(new OptionsValidator<OnlineEndpointOptions>(" (online endpoint)", OnlineEndpointOptionsValidator.Instance)));
        var optionsBuilder = services.AddOptions<OnlineEndpointOptions>(name).ValidateOnStart();
        var httpClientName = HttpClientName(name);
        var httpClientBuilder = services.AddHttpClient(httpClientName);
        AddPipelineDefaults(services, name, httpClientBuilder);

        // The endpoint's credential per attempt, inside the retries, so a refreshed token or a rotated key applies to
        // the next attempt.
        httpClientBuilder.AddHttpMessageHandler(sp =>
        {
            var choice = sp.GetRequiredService<IOptionsMonitor<OnlineCredentialChoice>>().Get(name);
            if (choice.AmlToken is var (resourceId, management, root))
            {
                return OnlineEndpointCredentialHandler.FromAmlToken(resourceId, management, root, sp.GetService<TimeProvider>());
            }

            if (choice.Credential is { } credential)
            {
                return OnlineEndpointCredentialHandler.FromCredential(credential, sp.GetService<TimeProvider>());
            }

            var monitor = sp.GetRequiredService<IOptionsMonitor<OnlineEndpointOptions>>();
            return OnlineEndpointCredentialHandler.FromKeySource(() =>
            {
                var current = monitor.Get(name);
                return (current.PrimaryKey, current.SecondaryKey);
            });
        });
        httpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        httpClientBuilder.SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        if (name.Length == 0)
        {
            services.TryAddSingleton<IOnlineEndpointClient>(sp => CreateOnline(sp, name, httpClientName));
        }
        else
        {
            services.AddKeyedSingleton<IOnlineEndpointClient>(name, (sp, _) => CreateOnline(sp, name, httpClientName));
        }

        return (new OnlineBuilder(name, services, httpClientBuilder), optionsBuilder);
    }

    private static OnlineEndpointClient CreateOnline(IServiceProvider sp, string name, string httpClientName)
    {
        var monitor = sp.GetRequiredService<IOptionsMonitor<OnlineEndpointOptions>>();
        var httpClient = sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName);
        var client = new OnlineEndpointClient(httpClient, monitor.Get(name), sp.GetService<TimeProvider>())
        {
            Logger = sp.GetService<ILoggerFactory>()?.CreateLogger(AzureMlDiagnostics.LogCategory) ?? NullLogger.Instance,
            ResilienceOptions = () => sp.GetService<IOptionsMonitor<AzureMlResilienceOptions>>()?.Get(name),
        };
        monitor.OnChange((options, changed) =>
        {
            if (string.Equals(changed ?? string.Empty, name, StringComparison.Ordinal) && options.Validate().Count == 0)
            {
                client.Rebind(options);
            }
        });
        return client;
    }

    /// <summary>Which credential an online endpoint client uses, per registration name.</summary>
    internal sealed class OnlineCredentialChoice
    {
        public TokenCredential? Credential { get; set; }

        public (string ResourceId, TokenCredential Management, Uri? Root)? AmlToken { get; set; }
    }

    private sealed class OnlineBuilder(string name, IServiceCollection services, IHttpClientBuilder httpClientBuilder) : IAzureMlClientBuilder
    {
        public string Name { get; } = name;

        public IServiceCollection Services { get; } = services;

        public IHttpClientBuilder HttpClientBuilder { get; } = httpClientBuilder;
    }
}
