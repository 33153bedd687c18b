using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AzureMl.Emulator;

/// <summary>The emulator program's command line (System.CommandLine): its flags, their defaults, and the options they make.</summary>
internal sealed class CommandLine
{
    private const string About = "Runs a local Azure ML emulator (Studio (classic) web services and a managed online endpoint) until Ctrl+C.";

    private static readonly AzureMlEmulatorOptions Defaults = new();
    private static readonly EmulatedDeployment DefaultDeployment = new(EmulatedOnlineEndpoint.DefaultDeploymentName, new FeatureHashingModel());

    private readonly Option<int> _port = new("--port") { Description = "Loopback port (0: a free port)", HelpName = "n", DefaultValueFactory = _ => Defaults.Port };
    private readonly Option<string> _apiKey = new("--api-key") { Description = "The service's API key", HelpName = "key", DefaultValueFactory = _ => Defaults.ApiKey };
    private readonly Option<string> _workspace = new("--workspace") { Description = "Workspace id", HelpName = "id", DefaultValueFactory = _ => Defaults.WorkspaceId };
    private readonly Option<string> _service = new("--service") { Description = "Service id", HelpName = "id", DefaultValueFactory = _ => Defaults.ServiceId };
    private readonly Option<string> _model = new("--model") { Description = "The model (only feature-hashing is built in)", HelpName = "name", DefaultValueFactory = _ => "feature-hashing" };
    private readonly Option<int> _bits = new("--bits") { Description = "Feature hashing bit size, 1-31", HelpName = "n", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _ngrams = new("--ngrams") { Description = "Longest n-gram, 1-10", HelpName = "n", DefaultValueFactory = _ => 2 };
    private readonly Option<string> _columns = new("--columns") { Description = "Target text columns, comma-separated", HelpName = "a,b", DefaultValueFactory = _ => "Col2" };
    private readonly Option<int> _maxConcurrentRequests = new("--max-concurrent-requests") { Description = "Concurrent scoring calls before 503", HelpName = "n", DefaultValueFactory = _ => Defaults.MaxConcurrentRequests };
    private readonly Option<int> _maxRequestBytes = new("--max-request-bytes") { Description = "Largest scoring body before 413", HelpName = "n", DefaultValueFactory = _ => Defaults.MaxRequestBytes };
    private readonly Option<int> _maxConcurrentJobs = new("--max-concurrent-jobs") { Description = "Jobs run at once; more queue", HelpName = "n", DefaultValueFactory = _ => Defaults.MaxConcurrentJobs };
    private readonly Option<string?> _gatewaySuffix = new("--gateway-suffix") { Description = "Put an API Management front at /<suffix>/", HelpName = "suffix" };
    private readonly Option<string?> _subscriptionKey = new("--subscription-key") { Description = "The gateway's primary subscription key", HelpName = "key" };
    private readonly Option<string?> _secondarySubscriptionKey = new("--secondary-subscription-key") { Description = "The gateway's secondary subscription key", HelpName = "key" };
    private readonly Option<string> _subscriptionKeyHeader = new("--subscription-key-header") { Description = "Header for the key", HelpName = "name", DefaultValueFactory = _ => new EmulatorGatewayOptions().HeaderName };
    private readonly Option<(int Calls, TimeSpan Period)?> _rateLimit = new("--rate-limit") { Description = "Gateway rate limit per key, e.g. 100/60 (answers 429)", HelpName = "calls/seconds", CustomParser = Rate };
    private readonly Option<(int Calls, TimeSpan Period)?> _quota = new("--quota") { Description = "Gateway quota per key, e.g. 10000/86400 (answers 403)", HelpName = "calls/seconds", CustomParser = Rate };
    private readonly Option<bool> _injectApiKey = new("--inject-api-key") { Description = "The gateway adds the API key itself" };
    private readonly Option<string?> _storage = new("--storage") { Description = "Storage connection string for job results (default: start Azurite)", HelpName = "connection string" };
    private readonly Option<bool> _noOnlineEndpoints = new("--no-online-endpoints") { Description = "Serve no managed online endpoint" };
    private readonly Option<string> _onlineEndpoint = new("--online-endpoint") { Description = "Online endpoint name", HelpName = "name", DefaultValueFactory = _ => EmulatedOnlineEndpoint.DefaultName };
    private readonly Option<string> _onlineDeployment = new("--online-deployment") { Description = "Its deployment, 100% traffic", HelpName = "name", DefaultValueFactory = _ => EmulatedOnlineEndpoint.DefaultDeploymentName };
    private readonly Option<string> _onlinePrimaryKey = new("--online-primary-key") { Description = "Endpoint primary key", HelpName = "key", DefaultValueFactory = _ => EmulatedOnlineEndpoint.DefaultPrimaryKey };
    private readonly Option<string> _onlineSecondaryKey = new("--online-secondary-key") { Description = "Endpoint secondary key", HelpName = "key", DefaultValueFactory = _ => EmulatedOnlineEndpoint.DefaultSecondaryKey };
    private readonly Option<int> _onlineMaxConcurrentRequests = new("--online-max-concurrent-requests") { Description = "max_concurrent_requests_per_instance; 429 beyond 2 x n x instances in flight", HelpName = "n", DefaultValueFactory = _ => DefaultDeployment.MaxConcurrentRequestsPerInstance };
    private readonly Option<int> _onlineInstanceCount = new("--online-instance-count") { Description = "Instances of the deployment, 1-50", HelpName = "n", DefaultValueFactory = _ => DefaultDeployment.InstanceCount };
    private readonly Option<int> _onlineRequestTimeout = new("--online-request-timeout") { Description = "request_timeout in seconds: answers 408 after it", HelpName = "seconds", DefaultValueFactory = _ => (int)DefaultDeployment.RequestTimeout.TotalSeconds };

    private readonly RootCommand _root;

    private CommandLine()
    {
        _root = new RootCommand(About)
        {
            _port, _apiKey, _workspace, _service, _model, _bits, _ngrams, _columns, _maxConcurrentRequests, _maxRequestBytes, _maxConcurrentJobs,
            _gatewaySuffix, _subscriptionKey, _secondarySubscriptionKey, _subscriptionKeyHeader, _rateLimit, _quota, _injectApiKey, _storage,
            _noOnlineEndpoints, _onlineEndpoint, _onlineDeployment, _onlinePrimaryKey, _onlineSecondaryKey, _onlineMaxConcurrentRequests,
            _onlineInstanceCount, _onlineRequestTimeout,
        };
        _model.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } model && !string.Equals(model, "feature-hashing", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"Unknown model '{model}': the built-in model is feature-hashing.");
            }
        });
        _root.Validators.Add(result =>
        {
            Option[] gatewayOnly = [_subscriptionKey, _secondarySubscriptionKey, _subscriptionKeyHeader, _rateLimit, _quota, _injectApiKey];
            if (!Given(result, _gatewaySuffix) && gatewayOnly.Any(o => Given(result, o)))
            {
                result.AddError("The gateway options need --gateway-suffix.");
            }

            Option[] onlineOnly = [_onlinePrimaryKey, _onlineSecondaryKey, _onlineMaxConcurrentRequests, _onlineInstanceCount, _onlineRequestTimeout];
            if (Given(result, _noOnlineEndpoints) && onlineOnly.Any(o => Given(result, o)))
            {
                result.AddError("The --online-* options conflict with --no-online-endpoints.");
            }
        });
    }

    /// <summary>Gets the help text: every flag with its description and default.</summary>
    public static string Help
    {
        get
        {
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            new CommandLine()._root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output });
            return output.ToString();
        }
    }

    public AzureMlEmulatorOptions Options { get; } = new();

    public bool ShowHelp { get; private set; }

    /// <summary>Parses the program's arguments into emulator options.</summary>
    /// <exception cref="FormatException">An unknown flag, a missing or bad value, or flags that conflict; the message says which.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var command = new CommandLine();
        var parse = command._root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            throw new FormatException(string.Join(Environment.NewLine, parse.Errors.Select(e => e.Message)));
        }

        command.ShowHelp = parse.Action is HelpAction;
        try
        {
            command.Apply(parse);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }

        return command;
    }

    private void Apply(ParseResult parse)
    {
        var options = Options;
        options.Port = parse.GetValue(_port);
        options.ApiKey = parse.GetValue(_apiKey)!;
        options.WorkspaceId = parse.GetValue(_workspace)!;
        options.ServiceId = parse.GetValue(_service)!;
        options.MaxConcurrentRequests = parse.GetValue(_maxConcurrentRequests);
        options.MaxRequestBytes = parse.GetValue(_maxRequestBytes);
        options.MaxConcurrentJobs = parse.GetValue(_maxConcurrentJobs);
        options.StorageConnectionString = parse.GetValue(_storage);

        if (parse.GetValue(_gatewaySuffix) is { } suffix)
        {
            var gateway = new EmulatorGatewayOptions { Suffix = suffix };
            var primary = parse.GetValue(_subscriptionKey);
            gateway.PrimaryKey = primary ?? gateway.PrimaryKey;
            gateway.SecondaryKey = parse.GetValue(_secondarySubscriptionKey) ?? (primary is null ? gateway.SecondaryKey : null);
            gateway.HeaderName = parse.GetValue(_subscriptionKeyHeader)!;
            gateway.InjectApiKey = parse.GetValue(_injectApiKey);
            if (parse.GetValue(_rateLimit) is { } rate)
            {
                gateway.RateLimitCalls = rate.Calls;
                gateway.RateLimitPeriod = rate.Period;
            }

            if (parse.GetValue(_quota) is { } quota)
            {
                gateway.QuotaCalls = quota.Calls;
                gateway.QuotaPeriod = quota.Period;
            }

            options.Gateway = gateway;
        }

        var bits = parse.GetValue(_bits);
        var ngrams = parse.GetValue(_ngrams);
        var columns = parse.GetValue(_columns)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        options.Model = new FeatureHashingModel(bits, ngrams, columns);
        options.OnlineEndpoints.Clear();
        if (!parse.GetValue(_noOnlineEndpoints))
        {
            var endpoint = new EmulatedOnlineEndpoint(parse.GetValue(_onlineEndpoint)!)
            {
                PrimaryKey = parse.GetValue(_onlinePrimaryKey)!,
                SecondaryKey = parse.GetValue(_onlineSecondaryKey)!,
            };
            var deployment = new EmulatedDeployment(parse.GetValue(_onlineDeployment)!, new FeatureHashingModel(bits, ngrams, columns))
            {
                MaxConcurrentRequestsPerInstance = parse.GetValue(_onlineMaxConcurrentRequests),
                InstanceCount = parse.GetValue(_onlineInstanceCount),
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(_onlineRequestTimeout)),
            };
            endpoint.Deployments.Add(deployment);
            options.OnlineEndpoints.Add(endpoint);
        }
    }

    private static bool Given(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static (int Calls, TimeSpan Period)? Rate(ArgumentResult result)
    {
        var value = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        var parts = value.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var calls)
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            || calls < 1 || seconds < 1)
        {
            result.AddError($"The option {((OptionResult)result.Parent!).Option.Name} needs <calls>/<seconds>, such as 100/60, not '{value}'.");
            return null;
        }

        return (calls, TimeSpan.FromSeconds(seconds));
    }
}
