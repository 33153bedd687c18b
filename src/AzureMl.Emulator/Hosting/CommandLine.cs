using System.Globalization;

namespace AzureMl.Emulator;

/// <summary>The emulator program's command line, parsed by hand.</summary>
internal sealed class CommandLine
{
    public const string Help = """
        Runs a local Azure ML emulator (Studio (classic) web services and a managed online endpoint) until Ctrl+C.

        Usage: AzureMl.Emulator [options]

          --port <n>                          Loopback port (default 0: a free port)
          --api-key <key>                     The service's API key (default emulator-api-key)
          --workspace <id>                    Workspace id (default 0123456789abcdef0123456789abcdef)
          --service <id>                      Service id (default fedcba9876543210fedcba9876543210)
          --model feature-hashing             The model (only feature-hashing is built in)
          --bits <n>                          Feature hashing bit size, 1-31 (default 3)
          --ngrams <n>                        Longest n-gram, 1-10 (default 2)
          --columns <a,b>                     Target text columns (default Col2)
          --max-concurrent-requests <n>       Concurrent scoring calls before 503 (default 20)
          --max-request-bytes <n>             Largest scoring body before 413 (default 16777216)
          --max-concurrent-jobs <n>           Jobs run at once; more queue (default 40)
          --gateway-suffix <suffix>           Put an API Management front at /<suffix>/
          --subscription-key <key>            The gateway's primary subscription key
          --secondary-subscription-key <key>  The gateway's secondary subscription key
          --subscription-key-header <name>    Header for the key (default Ocp-Apim-Subscription-Key)
          --rate-limit <calls>/<seconds>      Gateway rate limit per key, e.g. 100/60 (answers 429)
          --quota <calls>/<seconds>           Gateway quota per key, e.g. 10000/86400 (answers 403)
          --inject-api-key                    The gateway adds the API key itself
          --storage <connection string>       Storage for job results (default: start Azurite)
          --no-online-endpoints               Serve no managed online endpoint
          --online-endpoint <name>            Online endpoint name (default feature-hashing)
          --online-deployment <name>          Its deployment, 100% traffic (default blue)
          --online-primary-key <key>          Endpoint primary key (default emulator-online-primary-key)
          --online-secondary-key <key>        Endpoint secondary key (default emulator-online-secondary-key)
          --online-max-concurrent-requests <n>  max_concurrent_requests_per_instance; 429 beyond 2 x n x instances in flight (default 1)
          --online-instance-count <n>         Instances of the deployment, 1-50 (default 1)
          --online-request-timeout <seconds>  request_timeout: answers 408 after it (default 5)
          --help                              Show this help

        """;

    public AzureMlEmulatorOptions Options { get; } = new();

    public bool ShowHelp { get; private set; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine();
        var options = result.Options;
        int bits = 3, ngrams = 2;
        string[] columns = ["Col2"];
        EmulatorGatewayOptions? gateway = null;
        string? primary = null, secondary = null, header = null;
        (int Calls, TimeSpan Period)? rate = null, quota = null;
        var inject = false;
        var online = true;
        string onlineName = EmulatedOnlineEndpoint.DefaultName, deploymentName = EmulatedOnlineEndpoint.DefaultDeploymentName;
        string? onlinePrimary = null, onlineSecondary = null;
        int? perInstance = null, instances = null, timeoutSeconds = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"The option {name} needs a value.");
            switch (name)
            {
                case "--help" or "-h" or "-?":
                    result.ShowHelp = true;
                    break;
                case "--port":
                    options.Port = Int(name, Value());
                    break;
                case "--api-key":
                    options.ApiKey = Value();
                    break;
                case "--workspace":
                    options.WorkspaceId = Value();
                    break;
                case "--service":
                    options.ServiceId = Value();
                    break;
                case "--model":
                    var model = Value();
                    if (!string.Equals(model, "feature-hashing", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new FormatException($"Unknown model '{model}': the built-in model is feature-hashing.");
                    }

                    break;
                case "--bits":
                    bits = Int(name, Value());
                    break;
                case "--ngrams":
                    ngrams = Int(name, Value());
                    break;
                case "--columns":
                    columns = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--max-concurrent-requests":
                    options.MaxConcurrentRequests = Int(name, Value());
                    break;
                case "--max-request-bytes":
                    options.MaxRequestBytes = Int(name, Value());
                    break;
                case "--max-concurrent-jobs":
                    options.MaxConcurrentJobs = Int(name, Value());
                    break;
                case "--gateway-suffix":
                    gateway = new EmulatorGatewayOptions { Suffix = Value() };
                    break;
                case "--subscription-key":
                    primary = Value();
                    break;
                case "--secondary-subscription-key":
                    secondary = Value();
                    break;
                case "--subscription-key-header":
                    header = Value();
                    break;
                case "--rate-limit":
                    rate = Rate(name, Value());
                    break;
                case "--quota":
                    quota = Rate(name, Value());
                    break;
                case "--inject-api-key":
                    inject = true;
                    break;
                case "--storage":
                    options.StorageConnectionString = Value();
                    break;
                case "--no-online-endpoints":
                    online = false;
                    break;
                case "--online-endpoint":
                    onlineName = Value();
                    break;
                case "--online-deployment":
                    deploymentName = Value();
                    break;
                case "--online-primary-key":
                    onlinePrimary = Value();
                    break;
                case "--online-secondary-key":
                    onlineSecondary = Value();
                    break;
                case "--online-max-concurrent-requests":
                    perInstance = Int(name, Value());
                    break;
                case "--online-instance-count":
                    instances = Int(name, Value());
                    break;
                case "--online-request-timeout":
                    timeoutSeconds = Int(name, Value());
                    break;
                default:
                    throw new FormatException($"Unknown option '{name}'.");
            }
        }

        if (gateway is null && (primary is not null || secondary is not null || header is not null || rate is not null || quota is not null || inject))
        {
            throw new FormatException("The gateway options need --gateway-suffix.");
        }

        if (gateway is not null)
        {
            gateway.PrimaryKey = primary ?? gateway.PrimaryKey;
            gateway.SecondaryKey = secondary ?? (primary is null ? gateway.SecondaryKey : null);
            gateway.HeaderName = header ?? gateway.HeaderName;
            gateway.InjectApiKey = inject;
            if (rate is { } r)
            {
                gateway.RateLimitCalls = r.Calls;
                gateway.RateLimitPeriod = r.Period;
            }

            if (quota is { } q)
            {
                gateway.QuotaCalls = q.Calls;
                gateway.QuotaPeriod = q.Period;
            }

            options.Gateway = gateway;
        }

        try
        {
            options.Model = new FeatureHashingModel(bits, ngrams, columns);
            options.OnlineEndpoints.Clear();
            if (online)
            {
                var endpoint = new EmulatedOnlineEndpoint(onlineName)
                {
                    PrimaryKey = onlinePrimary ?? EmulatedOnlineEndpoint.DefaultPrimaryKey,
                    SecondaryKey = onlineSecondary ?? EmulatedOnlineEndpoint.DefaultSecondaryKey,
                };
                var deployment = new EmulatedDeployment(deploymentName, new FeatureHashingModel(bits, ngrams, columns));
                deployment.MaxConcurrentRequestsPerInstance = perInstance ?? deployment.MaxConcurrentRequestsPerInstance;
                deployment.InstanceCount = instances ?? deployment.InstanceCount;
                deployment.RequestTimeout = timeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : deployment.RequestTimeout;
                endpoint.Deployments.Add(deployment);
                options.OnlineEndpoints.Add(endpoint);
            }
            else if (onlinePrimary is not null || onlineSecondary is not null || perInstance is not null || instances is not null || timeoutSeconds is not null)
            {
                throw new FormatException("The --online-* options conflict with --no-online-endpoints.");
            }
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }

        return result;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"The option {name} needs a whole number, not '{value}'.");

    private static (int Calls, TimeSpan Period) Rate(string name, string value)
    {
        var parts = value.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var calls)
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            || calls < 1 || seconds < 1)
        {
            throw new FormatException($"The option {name} needs <calls>/<seconds>, such as 100/60, not '{value}'.");
        }

        return (calls, TimeSpan.FromSeconds(seconds));
    }
}
