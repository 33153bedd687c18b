using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AzureMl.Emulator;

/// <summary>
/// A running Azurite blob service on a free loopback port, in memory, installed from the repository's
/// pinned package on first use and stopped (with its process tree) on dispose. Its waits run on
/// <see cref="AzuriteOptions.TimeProvider"/>.
/// </summary>
public sealed partial class AzuriteInstance : IAsyncDisposable
{
    /// <summary>The development storage account name Azurite serves.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's documented, public development account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _workspace;
    private readonly TimeProvider _timeProvider;
    private int _disposed;

    private AzuriteInstance(Process process, string workspace, int port, TimeProvider timeProvider)
    {
        _process = process;
        _workspace = workspace;
        _timeProvider = timeProvider;
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
        options.ThrowIfInvalid(nameof(options));

        var directory = AzuriteInstaller.FindDirectory(options);
        await AzuriteInstaller.EnsureInstalledAsync(directory, options, cancellationToken).ConfigureAwait(false);

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
            Path.Combine(directory, AzuriteInstaller.BlobMain), "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", "0", "--disableTelemetry",
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
            throw new InvalidOperationException(AzuriteInstaller.NodeMissing, e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var instance = default(AzuriteInstance);
        try
        {
            var deadline = options.TimeProvider.GetUtcNow() + options.StartTimeout;
            var port = await listening.Task.WaitAsync(options.StartTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            instance = new AzuriteInstance(process, workspace, port, options.TimeProvider);
            await instance.WaitUntilAnsweringAsync(deadline, cancellationToken).ConfigureAwait(false);
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
                ProcessTree.Kill(process);
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

        ProcessTree.Kill(_process);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _timeProvider);
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

    /// <summary>Waits until Azurite answers a blob call, each attempt bounded, until <paramref name="deadline"/> on the time provider.</summary>
    private async Task WaitUntilAnsweringAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        while (true)
        {
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5), _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Token);
            try
            {
                using var response = await client.GetAsync(new Uri(BlobEndpoint + "?comp=list"), linked.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (_timeProvider.GetUtcNow() >= deadline)
                {
                    throw new TimeoutException("Azurite listened but did not answer.", e);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), _timeProvider, cancellationToken).ConfigureAwait(false);
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

    [GeneratedRegex(@"successfully listens on https?://[^:/\s]+:(\d+)")]
    private static partial Regex ListeningPattern();
}
