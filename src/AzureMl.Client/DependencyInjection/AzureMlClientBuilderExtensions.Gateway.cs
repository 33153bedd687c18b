using AzureMl.Client.Gateway;
using AzureMl.Client.Internal;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class AzureMlClientBuilderExtensions
{
    /// <summary>Sends a fixed API Management subscription key in the <c>Ocp-Apim-Subscription-Key</c> header.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="key">The subscription key.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or holds a line break or control character.</exception>
    public static IAzureMlClientBuilder AddSubscriptionKey(this IAzureMlClientBuilder builder, string key)
    {
        var provider = new FixedSubscriptionKeyProvider(key);
        return AddSubscriptionKey(builder, _ => provider);
    }

    /// <summary>
    /// Sends the subscription's primary key and, when the gateway rejects it, the secondary one (and keeps the key that worked).
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="primaryKey">The primary key.</param>
    /// <param name="secondaryKey">The secondary key.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">A key is empty or holds a line break or control character.</exception>
    public static IAzureMlClientBuilder AddSubscriptionKey(this IAzureMlClientBuilder builder, string primaryKey, string secondaryKey)
    {
        var provider = new FailoverSubscriptionKeyProvider(primaryKey, secondaryKey);
        return AddSubscriptionKey(builder, _ => provider);
    }

    /// <summary>
    /// Sends the keys held in a configuration section (<see cref="AzureMlGatewayOptions"/>: <c>PrimaryKey</c>,
    /// <c>SecondaryKey</c>, <c>HeaderName</c>, <c>SendKeyInQuery</c>). Reloads of the section rotate the keys without a restart.
    /// Validated when the host starts.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="section">The section, e.g. <c>Configuration.GetSection("AzureMl:Gateway")</c>.</param>
    /// <returns>The same builder.</returns>
    public static IAzureMlClientBuilder AddSubscriptionKey(this IAzureMlClientBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.AddOptions<AzureMlGatewayOptions>(builder.Name).Bind(section);
        return AddOptionsKeys(builder);
    }

    /// <summary>Sends the keys set in code on <see cref="AzureMlGatewayOptions"/>, placed as those options say.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Sets the keys and, optionally, the header name or query mode.</param>
    /// <returns>The same builder.</returns>
    public static IAzureMlClientBuilder AddSubscriptionKey(this IAzureMlClientBuilder builder, Action<AzureMlGatewayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<AzureMlGatewayOptions>(builder.Name).Configure(configure);
        return AddOptionsKeys(builder);
    }

    /// <summary>
    /// Sends keys from your own provider (a vault, say). The provider is created once per client and asked on every attempt.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="providerFactory">Creates the key provider.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A subscription key was already added to this client.</exception>
    public static IAzureMlClientBuilder AddSubscriptionKey(this IAzureMlClientBuilder builder, Func<IServiceProvider, ISubscriptionKeyProvider> providerFactory) =>
        AddSubscriptionKey(builder, providerFactory, null);

    /// <summary>
    /// Sends keys from your own provider, placed as <paramref name="configure"/> says (header name or query mode).
    /// The provider is created once per client and asked on every attempt.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="providerFactory">Creates the key provider.</param>
    /// <param name="configure">Sets where the key goes; keys in these options are not used. <see langword="null"/>: the <c>Ocp-Apim-Subscription-Key</c> header.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A subscription key was already added to this client.</exception>
    public static IAzureMlClientBuilder AddSubscriptionKey(this IAzureMlClientBuilder builder, Func<IServiceProvider, ISubscriptionKeyProvider> providerFactory, Action<AzureMlGatewayOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(providerFactory);
        var name = builder.Name;
        var key = ProviderKey(name);
        if (builder.Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, key) && d.ServiceType == typeof(ISubscriptionKeyProvider)))
        {
            throw new InvalidOperationException($"A subscription key was already added to AzureMl client '{name}': call AddSubscriptionKey once per client.");
        }

        var options = builder.Services.AddOptions<AzureMlGatewayOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton<IValidateOptions<AzureMlGatewayOptions>>(
            new OptionsValidator<AzureMlGatewayOptions>(" gateway", AzureMlGatewayOptionsValidator.Instance, onlyName: name));
        builder.Services.AddKeyedSingleton(key, (sp, _) => providerFactory(sp));
        builder.HttpClientBuilder.AddHttpMessageHandler(sp => new SubscriptionKeyHandler(
            sp.GetRequiredKeyedService<ISubscriptionKeyProvider>(key),
            sp.GetRequiredService<IOptionsMonitor<AzureMlGatewayOptions>>().Get(name))
        {
            Logger = sp.GetService<ILoggerFactory>()?.CreateLogger(AzureMlDiagnostics.LogCategory) ?? NullLogger.Instance,
        });
        return builder;
    }

    private static IAzureMlClientBuilder AddOptionsKeys(IAzureMlClientBuilder builder)
    {
        var name = builder.Name;
        AddSubscriptionKey(builder, sp => new OptionsSubscriptionKeyProvider(sp.GetRequiredService<IOptionsMonitor<AzureMlGatewayOptions>>(), name));
        builder.Services.AddOptions<AzureMlGatewayOptions>(name).Configure(o => o.KeysFromOptions = true);
        return builder;
    }

    private static string ProviderKey(string name) => "AzureMl.Gateway:" + name;
}
