// A worker that scores on a timer with two keyed clients from appsettings.json: one calling the web service
// directly, one through API Management. Logs and the client's telemetry (spans, retries) go to the console.
//
//   dotnet run --project examples/WorkerService -- --emulator          (no Azure account needed)
//   dotnet run --project examples/WorkerService -- --emulator --Scoring:MaxRuns=3
using AzureMl.WorkerService;

var useEmulator = args.Contains("--emulator");
var builder = Host.CreateApplicationBuilder(args.Where(a => a != "--emulator").ToArray());

// With --emulator, two emulated services stand in for the configured ones (keys generated here, never logged).
await using var emulators = useEmulator ? await WorkerEmulators.StartAsync() : null;
if (emulators is not null)
{
    builder.Configuration.AddInMemoryCollection(emulators.Settings);
}

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddOptions<ScoringSettings>().BindConfiguration(ScoringSettings.Section).ValidateOnStart();

var clients = builder.Configuration.GetSection("AzureMl:Clients");
builder.Services.AddAzureMlClient(ScoringWorker.Direct, clients.GetSection(ScoringWorker.Direct));
builder.Services.AddAzureMlClient(ScoringWorker.ThroughGateway, clients.GetSection(ScoringWorker.ThroughGateway))
    .AddSubscriptionKey(clients.GetSection($"{ScoringWorker.ThroughGateway}:Gateway"));

builder.Services.AddHostedService<TelemetryLogger>();
builder.Services.AddHostedService<ScoringWorker>();

await builder.Build().RunAsync();
