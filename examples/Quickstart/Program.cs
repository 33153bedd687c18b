// The AzureMl.Client quickstart.
//
//   dotnet run --project examples/Quickstart
//
// With no configuration it starts the emulator in this process (a feature-hashing web service behind an
// API Management front, with Azurite as blob storage) and runs against it. Set AzureMl:Endpoint and friends
// (appsettings.json, user secrets, or AZUREML__… environment variables) to run the same flow on your own service.
using System.Diagnostics;
using AzureMl.Client;
using AzureMl.Quickstart;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddUserSecrets(typeof(QuickstartFlow).Assembly, optional: true)
    .AddEnvironmentVariables()
    .Build();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var total = Stopwatch.StartNew();
try
{
    var target = QuickstartTarget.FromConfiguration(configuration);
    if (target is null)
    {
        Console.WriteLine("No AzureMl:Endpoint configured: starting the emulator (the first run installs Azurite, the local blob storage)...");
        target = await QuickstartTarget.StartEmulatorAsync(stop.Token);
    }

    await using (target)
    {
        Console.WriteLine($"Using the {target}");
        Console.WriteLine();

        await using var services = QuickstartFlow.BuildServices(target);
        var client = services.GetRequiredService<IAzureMlClient>();
        var online = services.GetKeyedService<AzureMl.Client.OnlineEndpoints.IOnlineEndpointClient>("online");
        await QuickstartFlow.RunAsync(client, online, target, Console.Out, stop.Token);
    }

    Console.WriteLine();
    Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:0.0} s.");
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (AzureMlException e)
{
    // The message says what went wrong and what to check; it never contains keys.
    Console.Error.WriteLine($"The service call failed: {e.Message}");
    return 1;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
