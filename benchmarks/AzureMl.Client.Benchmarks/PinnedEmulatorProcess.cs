using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AzureMl.Emulator;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// The emulator program in a process of its own, pinned to CPU 0 with <c>taskset</c>, so the client under test (this
/// process) does not spend the service's CPU: on a real deployment the service runs on machines of its own. The
/// client may use every core; the service gets exactly one, for the ceiling and for the client alike. The emulator
/// runs fully optimized from its start (tiered compilation off), so no round measures it mid-way to its final code.
/// </summary>
internal sealed class PinnedEmulatorProcess : IAsyncDisposable
{
    public const string ApiKey = "benchmark-api-key";
    public const string WorkspaceId = "0123456789abcdef0123456789abcdef";
    public const string ServiceId = "fedcba9876543210fedcba9876543210";

    /// <summary>The online endpoint's primary key (the emulator's default endpoint, feature hashing).</summary>
    public const string OnlineKey = "benchmark-online-key";
    private const string TaskSet = "/usr/bin/taskset";
    private readonly Process _process;

    private PinnedEmulatorProcess(Process process, int port)
    {
        _process = process;
        ServiceRoot = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>Linux with two cores or more, and <c>taskset</c> (util-linux) to pin the emulator.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.ProcessorCount >= 2 && File.Exists(TaskSet);

    public Uri ServiceRoot { get; }

    public string ServiceUri => $"{ServiceRoot}workspaces/{WorkspaceId}/services/{ServiceId}";

    /// <summary>The scoring URI of the emulator's default online endpoint (<c>feature-hashing</c>).</summary>
    public Uri OnlineScoringUri => new(ServiceRoot, $"onlineEndpoints/{EmulatedOnlineEndpoint.DefaultName}/score");

    /// <param name="maxConcurrentRequests">The classic service's concurrent call limit.</param>
    /// <param name="onlineMaxConcurrentRequestsPerInstance">
    /// The online deployment's <c>max_concurrent_requests_per_instance</c> (one instance): it answers 429 beyond twice
    /// this many calls in flight.
    /// </param>
    public static async Task<PinnedEmulatorProcess> StartAsync(int maxConcurrentRequests, int onlineMaxConcurrentRequestsPerInstance = 1)
    {
        // The emulator program next to this one (a project reference copies it, with its app host).
        var program = Path.Combine(AppContext.BaseDirectory, "AzureMl.Emulator");
        if (!File.Exists(program))
        {
            program = Path.ChangeExtension(typeof(AzureMlEmulator).Assembly.Location, null);
        }

        var port = FreePort();
        var start = new ProcessStartInfo(TaskSet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", "0", program, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--api-key", ApiKey, "--workspace", WorkspaceId, "--service", ServiceId,
            "--max-concurrent-requests", maxConcurrentRequests.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--online-max-concurrent-requests", onlineMaxConcurrentRequestsPerInstance.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--online-primary-key", OnlineKey,
            "--storage", "UseDevelopmentStorage=true"])
        {
            start.ArgumentList.Add(argument);
        }

        // Fully optimized from the start: on one busy core, tiered compilation takes long to reach its final code, so
        // rounds would measure an emulator still speeding up. The ceiling and the client see the same emulator.
        start.Environment["DOTNET_TieredCompilation"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The emulator program did not start.");
        var emulator = new PinnedEmulatorProcess(process, port);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("Listening on", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return emulator;
                }
            }

            throw new InvalidOperationException("The emulator program ended before it listened: " + await process.StandardError.ReadToEndAsync(CancellationToken.None));
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
