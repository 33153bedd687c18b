using System.Globalization;
using System.Runtime.InteropServices;

namespace AzureMl.Emulator;

/// <summary>The command-line emulator: starts, prints how to call it, and runs until Ctrl+C.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();

        // Ctrl+C and a service manager's SIGTERM both stop cleanly, so Azurite is not left running.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await RunAsync(args, Console.Out, Console.Error, stop.Token).ConfigureAwait(false);
    }

    /// <summary>Runs the program until <paramref name="stop"/>: 0 once stopped or after <c>--help</c>, 2 for a bad command line, 1 when the emulator cannot start.</summary>
    internal static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken stop)
    {
        CommandLine command;
        try
        {
            command = CommandLine.Parse(args);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await error.WriteLineAsync("Run with --help to list the options.").ConfigureAwait(false);
            return 2;
        }

        if (command.ShowHelp)
        {
            await output.WriteAsync(CommandLine.Help).ConfigureAwait(false);
            return 0;
        }

        AzureMlEmulator emulator;
        try
        {
            emulator = await AzureMlEmulator.StartAsync(command.Options, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            await error.WriteLineAsync("The emulator could not start: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        await using (emulator.ConfigureAwait(false))
        {
            await output.WriteAsync(Describe(emulator, command.Options)).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync("Stopping.").ConfigureAwait(false);
            }
        }

        return 0;
    }

    internal static string Describe(AzureMlEmulator emulator, AzureMlEmulatorOptions options)
    {
        var text = new System.Text.StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.AppendLine("AzureML emulator (classic web services and online endpoints)");
        text.AppendLine(invariant, $"  Listening on      {emulator.BaseAddress}");
        text.AppendLine(invariant, $"  Service root      {emulator.ServiceRoot}");
        text.AppendLine(invariant, $"  Workspace id      {emulator.WorkspaceId}");
        text.AppendLine(invariant, $"  Service id        {emulator.ServiceId}");
        text.AppendLine(invariant, $"  API key           {Shown(emulator.ApiKey, AzureMlEmulatorOptions.DefaultApiKey, "(the value given with --api-key)")}   (send 'Authorization: Bearer <key>')");
        text.AppendLine(invariant, $"  Execute (RRS)     POST {emulator.ServiceUri}/execute?api-version=2.0&details=true");
        text.AppendLine(invariant, $"  Jobs (BES)        POST {emulator.ServiceUri}/jobs?api-version=2.0");
        foreach (var endpoint in options.OnlineEndpoints)
        {
            text.AppendLine(invariant, $"  Online scoring    POST {emulator.GetOnlineScoringUri(endpoint.Name)}   (deployments: {string.Join(", ", endpoint.Deployments.Select(d => $"{d.Name} {d.TrafficPercent}%"))})");
            text.AppendLine(invariant, $"  Online keys       {Shown(emulator.GetOnlineEndpointKey(endpoint.Name, KeyType.Primary), EmulatedOnlineEndpoint.DefaultPrimaryKey, "(the value given with --online-primary-key)")} / {Shown(emulator.GetOnlineEndpointKey(endpoint.Name, KeyType.Secondary), EmulatedOnlineEndpoint.DefaultSecondaryKey, "(the value given with --online-secondary-key)")}   (send 'Authorization: Bearer <key>', Content-Type application/json)");
        }

        if (options.Gateway is { } gateway)
        {
            var defaults = new EmulatorGatewayOptions();
            text.AppendLine(invariant, $"  Gateway key       {Shown(emulator.PrimarySubscriptionKey, defaults.PrimaryKey, "(the value given with --subscription-key)")}   (header '{gateway.HeaderName}' or query '{gateway.QueryName}')");
            if (emulator.SecondarySubscriptionKey is { } secondary)
            {
                text.AppendLine(invariant, $"  Secondary key     {Shown(secondary, defaults.SecondaryKey, "(the value given with --secondary-subscription-key)")}");
            }

            if (gateway.RateLimitCalls is { } calls)
            {
                text.AppendLine(invariant, $"  Rate limit        {calls} calls per {gateway.RateLimitPeriod.TotalSeconds} s per key");
            }
        }

        text.AppendLine(invariant, $"  Storage           {Redacted(emulator.StorageConnectionString)}");
        text.AppendLine();
        text.Append(Exports(emulator, options));
        text.AppendLine();
        text.AppendLine("Press Ctrl+C to stop.");
        return text.ToString();
    }

    /// <summary>
    /// The settings an app reading <c>AzureMl:…</c> from environment variables needs to reach this emulator (the
    /// <c>azureml</c> tool in examples/Cli, the quickstart, the worker), as shell lines to paste.
    /// </summary>
    internal static string Exports(AzureMlEmulator emulator, AzureMlEmulatorOptions options)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("To call it from a shell (the azureml tool in examples/Cli, or any app reading AzureMl:* settings), paste:");
        void Export(string name, string value) => text.AppendLine(CultureInfo.InvariantCulture, $"export AZUREML__{name}={Quoted(value)}");
        Export("ENDPOINT", emulator.ServiceRoot.ToString());
        Export("WORKSPACEID", emulator.WorkspaceId);
        Export("SERVICEID", emulator.ServiceId);
        Export("APIKEY", Shown(emulator.ApiKey, AzureMlEmulatorOptions.DefaultApiKey, "<the value given with --api-key>"));
        if (emulator.PrimarySubscriptionKey is { } primary)
        {
            Export("GATEWAY__PRIMARYKEY", Shown(primary, new EmulatorGatewayOptions().PrimaryKey, "<the value given with --subscription-key>"));
        }

        // Azurite's development key is public by design and is printed; a key in a connection string given with --storage is not.
        Export("STORAGECONNECTIONSTRING", IsAzuriteDevelopmentKey(emulator.StorageConnectionString)
            ? emulator.StorageConnectionString
            : Redacted(emulator.StorageConnectionString));

        if (options.OnlineEndpoints is [var online, ..])
        {
            Export("ONLINE__SCORINGURI", emulator.GetOnlineScoringUri(online.Name).ToString());
            Export("ONLINE__PRIMARYKEY", Shown(emulator.GetOnlineEndpointKey(online.Name), EmulatedOnlineEndpoint.DefaultPrimaryKey, "<the value given with --online-primary-key>"));
        }
        return text.ToString();
    }

    private static bool IsAzuriteDevelopmentKey(string connectionString) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => part.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase) || part.StartsWith("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase))
            .All(part => part == "AccountKey=" + AzuriteInstance.AccountKey);

    // POSIX single quotes: nothing inside is expanded; a single quote is closed, escaped and reopened.
    private static string Quoted(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    // The built-in demo keys are printed so any client can call the emulator; a key the user chose is a secret
    // that belongs to them and is never echoed.
    private static string Shown(string? key, string? builtIn, string hidden) =>
        key == builtIn ? key ?? string.Empty : hidden;

    private static string Redacted(string connectionString) =>
        string.Join(';', connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => !part.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase) && !part.StartsWith("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase)))
        + (connectionString.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) ? ";AccountKey=<the account key>" : string.Empty);
}
