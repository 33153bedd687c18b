using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AzureMl.Emulator;

/// <summary>
/// A running Azurite blob service on a free loopback port, in memory, installed from the repository's
/// pinned package on first use and stopped (with its process tree) on dispose.
/// </summary>
public sealed partial class AzuriteInstance : IAsyncDisposable
{
    /// <summary>The development storage account name Azurite serves.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's documented, public development account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string BlobMain = "node_modules/azurite/dist/src/blob/main.js";
    private readonly Process _process;
    private readonly string _workspace;
    private int _disposed;

    private AzuriteInstance(Process process, string workspace, int port)
    {
        _process = process;
        _workspace = workspace;
        BlobEndpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{AccountName}");
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";
    }

    /// <summary>Gets the connection string of the development account.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the blob endpoint, <c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>Starts Azurite with the default options.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running instance.</returns>
    public static Task<AzuriteInstance> StartAsync(CancellationToken cancellationToken) => StartAsync(new AzuriteOptions(), cancellationToken);

    /// <summary>Starts Azurite with the default options.</summary>
    /// <returns>The running instance.</returns>
    public static Task<AzuriteInstance> StartAsync() => StartAsync(new AzuriteOptions(), CancellationToken.None);

    /// <summary>Starts Azurite, installing it with <c>npm ci</c> first if needed.</summary>
    /// <param name="options">Where Azurite is and how long to wait.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running instance.</returns>
    /// <exception cref="InvalidOperationException">Node.js or npm is missing, the install failed, or Azurite did not start.</exception>
    public static async Task<AzuriteInstance> StartAsync(AzuriteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = FindDirectory(options);
        await EnsureInstalledAsync(directory, options, cancellationToken).ConfigureAwait(false);

        var workspace = Path.Combine(Path.GetTempPath(), "azureml-azurite-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(workspace);
        var info = new ProcessStartInfo(options.NodeExecutable)
        {
            // Azurite keeps its few files in the working folder: a fresh temporary one per instance.
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Azurite's default checks stay on (no --skipApiVersionCheck, no --loose), so everything that works here works
        // against an Azurite users start themselves. Telemetry is off: nothing may leave the machine.
        foreach (var argument in new[]
        {
            Path.Combine(directory, BlobMain), "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", "0", "--disableTelemetry",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningPattern().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"Azurite exited before it listened: {errors}"));
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            DeleteQuietly(workspace);
            throw new InvalidOperationException(NodeMissing, e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var instance = default(AzuriteInstance);
        try
        {
            var port = await listening.Task.WaitAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            instance = new AzuriteInstance(process, workspace, port);
            await instance.WaitUntilAnsweringAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            return instance;
        }
        catch (Exception e)
        {
            if (instance is not null)
            {
                await instance.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                Kill(process);
                process.Dispose();
                DeleteQuietly(workspace);
            }

            if (e is TimeoutException)
            {
                throw new InvalidOperationException($"Azurite did not start within {options.StartTimeout}. {errors}", e);
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill(_process);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // It was told to stop; a slow exit is not the caller's problem.
        }

        _process.Dispose();
        DeleteQuietly(_workspace);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Azurite at {BlobEndpoint}";

    internal static string FindDirectory(AzuriteOptions options)
    {
        var configured = options.Directory ?? Environment.GetEnvironmentVariable(AzuriteOptions.DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (!File.Exists(Path.Combine(configured, "package.json")))
            {
                throw new InvalidOperationException($"The Azurite folder '{configured}' has no package.json.");
            }

            return Path.GetFullPath(configured);
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tools", "azurite");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        // Outside the repository (the NuGet package, a published program) the pinned copy beside the program is used.
        var bundled = Path.Combine(AppContext.BaseDirectory, "azurite");
        if (File.Exists(Path.Combine(bundled, "package.json")))
        {
            return bundled;
        }

        throw new InvalidOperationException(
            $"Azurite's package folder (tools/azurite with package.json) was not found above '{AppContext.BaseDirectory}', nor an 'azurite' folder beside it. " +
            $"A published program needs the 'azurite' folder of its publish output beside it; or set the {AzuriteOptions.DirectoryVariable} environment variable " +
            "or AzuriteOptions.Directory to such a folder, or pass a storage connection string instead.");
    }

    private const string NodeMissing =
        "Node.js was not found on the PATH. Azurite, the local blob storage emulator, runs on Node.js: install Node.js 20 or later (it includes npm) " +
        "and make sure 'node' and 'npm' are on the PATH, or give the emulator a storage connection string instead.";

    private static Task<bool> EnsureInstalledAsync(string directory, AzuriteOptions options, CancellationToken cancellationToken) =>
        InstallOnceAsync(
            Path.Combine(directory, "__azurite_install.lock"),
            () => File.Exists(Path.Combine(directory, BlobMain)),
            ct => RunNpmCiAsync(directory, options, ct),
            options.InstallTimeout,
            cancellationToken);

    /// <summary>Runs <paramref name="install"/> unless already installed; parallel callers (in this or other processes) wait on a lock file, and only one installs.</summary>
    /// <returns><see langword="true"/> when this call ran the install.</returns>
    internal static async Task<bool> InstallOnceAsync(string lockPath, Func<bool> isInstalled, Func<CancellationToken, Task> install, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (isInstalled())
        {
            return false;
        }

        // Parallel test processes share the folder: one installs while the others wait on the lock file.
        using var installLock = await AcquireLockAsync(lockPath, timeout, cancellationToken).ConfigureAwait(false);
        if (isInstalled())
        {
            return false;
        }

        await install(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task RunNpmCiAsync(string directory, AzuriteOptions options, CancellationToken cancellationToken)
    {
        var timeout = options.InstallTimeout;
        var info = new ProcessStartInfo(options.NpmExecutable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("npm did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(NodeMissing.Replace("Node.js was not found", "npm was not found", StringComparison.Ordinal), e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw new InvalidOperationException($"'npm ci' in '{directory}' did not finish within {timeout}.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'npm ci' in '{directory}' failed with exit code {process.ExitCode}: {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)} " +
                    "Check that npm can reach its package registry, or run 'npm ci' in that folder yourself.");
            }
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException(
                    $"Another process held the Azurite install lock '{path}' for longer than {timeout}. " +
                    "If no install is running, delete that file; or raise AzuriteOptions.InstallTimeout.", e);
            }
        }
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(BlobEndpoint + "?comp=list"), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the folder is in the temporary directory.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"successfully listens on https?://[^:/\s]+:(\d+)")]
    private static partial Regex ListeningPattern();
}
