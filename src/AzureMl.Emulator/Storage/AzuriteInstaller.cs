using System.ComponentModel;
using System.Diagnostics;

namespace AzureMl.Emulator;

/// <summary>
/// Finds the folder holding Azurite's pinned package (<c>package.json</c> and <c>package-lock.json</c>) and installs it
/// there with <c>npm ci</c> once, however many processes ask at the same time. Waits run on
/// <see cref="AzuriteOptions.TimeProvider"/>.
/// </summary>
internal static class AzuriteInstaller
{
    /// <summary>Azurite's blob service entry point, relative to the package folder.</summary>
    public const string BlobMain = "node_modules/azurite/dist/src/blob/main.js";

    /// <summary>How to fix a machine without Node.js, for the installer and the runner alike.</summary>
    public const string NodeMissing =
        "Node.js was not found on the PATH. Azurite, the local blob storage emulator, runs on Node.js: install Node.js 20 or later (it includes npm) " +
        "and make sure 'node' and 'npm' are on the PATH, or give the emulator a storage connection string instead.";

    public static string FindDirectory(AzuriteOptions options)
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

    /// <summary>Installs the pinned package in <paramref name="directory"/> with <c>npm ci</c> unless it is there.</summary>
    /// <returns><see langword="true"/> when this call installed it.</returns>
    public static Task<bool> EnsureInstalledAsync(string directory, AzuriteOptions options, CancellationToken cancellationToken) =>
        InstallOnceAsync(
            Path.Combine(directory, "__azurite_install.lock"),
            () => File.Exists(Path.Combine(directory, BlobMain)),
            ct => RunNpmCiAsync(directory, options, ct),
            options.InstallTimeout,
            options.TimeProvider,
            cancellationToken);

    /// <summary>Runs <paramref name="install"/> unless already installed; parallel callers (in this or other processes) wait on a lock file, and only one installs.</summary>
    /// <returns><see langword="true"/> when this call ran the install.</returns>
    internal static async Task<bool> InstallOnceAsync(string lockPath, Func<bool> isInstalled, Func<CancellationToken, Task> install, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (isInstalled())
        {
            return false;
        }

        // Parallel test processes share the folder: one installs while the others wait on the lock file.
        using var installLock = await AcquireLockAsync(lockPath, timeout, timeProvider, cancellationToken).ConfigureAwait(false);
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
            using var timeoutSource = new CancellationTokenSource(timeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                ProcessTree.Kill(process);
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

    private static async Task<FileStream> AcquireLockAsync(string path, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (timeProvider.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException(
                    $"Another process held the Azurite install lock '{path}' for longer than {timeout}. " +
                    "If no install is running, delete that file; or raise AzuriteOptions.InstallTimeout.", e);
            }
        }
    }
}
