using AzureMl.Client;
using Microsoft.Extensions.Options;

namespace AzureMl.WorkerService;

/// <summary>Scores one row on each web service every <see cref="ScoringSettings.Interval"/>.</summary>
public sealed partial class ScoringWorker(
    IServiceProvider services, IOptions<ScoringSettings> settings, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ScoringWorker> logger)
    : BackgroundService
{
    /// <summary>The key of the client that calls the service directly.</summary>
    public const string Direct = "direct";

    /// <summary>The key of the client that calls through API Management.</summary>
    public const string ThroughGateway = "gateway";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = settings.Value;
        using var timer = new PeriodicTimer(options.Interval, time);
        var round = 0;
        do
        {
            round++;
            foreach (var name in new[] { Direct, ThroughGateway })
            {
                // Clients are cheap, transient wrappers over IHttpClientFactory: resolve one per round so
                // connection handlers rotate as the factory intends.
                var client = services.GetRequiredKeyedService<IAzureMlClient>(name);
                try
                {
                    var output = await client.ExecuteAsync(new ScoringTable("Col2").AddRow(options.Text), stoppingToken);
                    if (logger.IsEnabled(LogLevel.Information))
                    {
                        var row = output[0];
                        var features = string.Join(", ", Enumerable.Range(1, row.Count - 1).Select(j => row[j]));
                        LogScored(round, name, features);
                    }
                }
                catch (AzureMlException e)
                {
                    // The message names the failure and what to check; it never contains a key.
                    LogFailed(e, round, name, e.ErrorCode);
                }
            }

            if (options.MaxRuns > 0 && round >= options.MaxRuns)
            {
                LogDone(round);
                lifetime.StopApplication();
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: {Client} scored [{Features}]")]
    private partial void LogScored(int round, string client, string features);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Round {Round}: {Client} failed ({ErrorCode})")]
    private partial void LogFailed(Exception exception, int round, string client, string? errorCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scored {Rounds} rounds; stopping")]
    private partial void LogDone(int rounds);
}
