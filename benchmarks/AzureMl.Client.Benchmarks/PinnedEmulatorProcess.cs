using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AzureMl.Emulator;

namespace AzureMl.Client.Benchmarks;

/// <summary>
/// The emulator program in a process of its own, pinned to CPU 0 with <c>taskset</c>, and the client under test (this
/// process) on the other cores, so neither spends the other's CPU: on a real deployment the service runs on machines
/// of its own. The service gets exactly one core, for the ceiling and for the client alike. The emulator runs fully
/// optimized from its start (tiered compilation off), so no round measures it mid-way to its final code.
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

    private const string ClientOffServiceCore = "AZUREML_BENCHMARK_CLIENT_OFF_CPU0";

    /// <summary>Linux with two cores or more, and <c>taskset</c> (util-linux) to pin the emulator.</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() && File.Exists(TaskSet) && (Environment.ProcessorCount >= 2 || Environment.GetEnvironmentVariable(ClientOffServiceCore) == "1");

    /// <summary>Whether this process should start again on the cores other than CPU 0 (not yet done, and pinning applies).</summary>
    public static bool ShouldKeepClientOffServiceCore(bool notPinned) =>
        !notPinned && IsSupported && Environment.GetEnvironmentVariable(ClientOffServiceCore) != "1";

    /// <summary>Runs this benchmark program again with <paramref name="args"/> under <c>taskset -c 1-…</c>, and returns its exit code.</summary>
    public static async Task<int> RunClientOffServiceCoreAsync(string[] args)
    {
        var start = new ProcessStartInfo(TaskSet) { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"1-{Environment.ProcessorCount - 1}");
        start.ArgumentList.Add(Environment.ProcessPath!);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Run through the dotnet host: the assembly is its first argument.
            start.ArgumentList.Add(typeof(PinnedEmulatorProcess).Assembly.Location);
        }

        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[ClientOffServiceCore] = "1";
        Console.WriteLine($"// Client under test started again on CPUs 1-{Environment.ProcessorCount - 1}; the emulator gets CPU 0");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("taskset did not start.");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

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
