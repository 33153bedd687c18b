using AzureMl.Client;
using AzureMl.Client.Internal;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IAzureMlClient"/> instances, built on <see cref="IHttpClientFactory"/>.</summary>
public static partial class AzureMlServiceCollectionExtensions
{
    /// <summary>Registers the default <see cref="IAzureMlClient"/>, configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlClient(this IServiceCollection services, Action<AzureMlClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, Options.Options.DefaultName).Configure(configure);
    }

    /// <summary>Registers the default <see cref="IAzureMlClient"/>, bound to a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The section holding <see cref="AzureMlClientOptions"/> properties, e.g. <c>Configuration.GetSection("AzureMl")</c>.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlClient(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return AddCore(services, Options.Options.DefaultName).Bind(section);
    }

    /// <summary>
    /// Registers a named <see cref="IAzureMlClient"/>, configured in code and resolved as a keyed service
    /// (<c>[FromKeyedServices("name")]</c> or <c>GetRequiredKeyedService&lt;IAzureMlClient&gt;("name")</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name and service key.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlClient(this IServiceCollection services, string name, Action<AzureMlClientOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, name).Configure(configure);
    }

    /// <summary>Registers a named, keyed <see cref="IAzureMlClient"/> bound to a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name and service key.</param>
    /// <param name="section">The section holding <see cref="AzureMlClientOptions"/> properties.</param>
    /// <returns>A builder to configure the client further.</returns>
    public static IAzureMlClientBuilder AddAzureMlClient(this IServiceCollection services, string name, IConfigurationSection section)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(section);
        return AddCore(services, name).Bind(section);
    }

    private static AzureMlClientBuilder AddCore(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureMlClientOptions>>(new OptionsValidator<AzureMlClientOptions>(string.Empty, AzureMlClientOptionsValidator.Instance)));
        var optionsBuilder = services.AddOptions<AzureMlClientOptions>(name).ValidateOnStart();
        var httpClientName = HttpClientName(name);
        var httpClientBuilder = services.AddHttpClient(httpClientName);
        AddPipelineDefaults(services, name, httpClientBuilder);

        // One client per registration for the app's lifetime: it keeps what it learns of its service (answer sizes)
        // and follows configuration reloads itself. Its HttpClient's connections are recycled by the primary
        // handler's PooledConnectionLifetime (DNS changes), not by rotating handlers under a held HttpClient.
        httpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        httpClientBuilder.SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        if (name.Length == 0)
        {
            services.TryAddSingleton<IAzureMlClient>(sp => Create(sp, name, httpClientName));
        }
        else
        {
            services.AddKeyedSingleton<IAzureMlClient>(name, (sp, _) => Create(sp, name, httpClientName));
        }

        return new AzureMlClientBuilder(name, services, httpClientBuilder, optionsBuilder);
    }

    /// <summary>The <see cref="IHttpClientFactory"/> name used for a client registered as <paramref name="name"/>.</summary>
    internal static string HttpClientName(string name) => name.Length == 0 ? "AzureMl" : "AzureMl:" + name;

    private static AzureMlClient Create(IServiceProvider sp, string name, string httpClientName)
    {
        var monitor = sp.GetRequiredService<IOptionsMonitor<AzureMlClientOptions>>();
        var httpClient = sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName);
        var client = new AzureMlClient(httpClient, monitor.Get(name), sp.GetService<TimeProvider>())
        {
            Logger = sp.GetService<ILoggerFactory>()?.CreateLogger(AzureMlDiagnostics.LogCategory) ?? NullLogger.Instance,
            ResilienceOptions = () => sp.GetService<IOptionsMonitor<AzureMl.Client.Resilience.AzureMlResilienceOptions>>()?.Get(name),
        };

        // A reload with invalid settings keeps the last valid ones (the options validator reports it).
        monitor.OnChange((options, changed) =>
        {
            if (string.Equals(changed ?? string.Empty, name, StringComparison.Ordinal) && options.Validate().Count == 0)
            {
                client.Rebind(options);
            }
        });
        return client;
    }

    private sealed class AzureMlClientBuilder(string name, IServiceCollection services, IHttpClientBuilder httpClientBuilder, OptionsBuilder<AzureMlClientOptions> optionsBuilder)
        : IAzureMlClientBuilder
    {
        public string Name { get; } = name;

        public IServiceCollection Services { get; } = services;

        public IHttpClientBuilder HttpClientBuilder { get; } = httpClientBuilder;

        public AzureMlClientBuilder Configure(Action<AzureMlClientOptions> configure)
        {
            optionsBuilder.Configure(configure);
            return this;
        }

        public AzureMlClientBuilder Bind(IConfigurationSection section)
        {
            optionsBuilder.Bind(section);
            return this;
        }
    }
}
