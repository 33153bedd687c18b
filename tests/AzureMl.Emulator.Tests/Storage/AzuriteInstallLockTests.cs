using Microsoft.Extensions.Time.Testing;

namespace AzureMl.Emulator.Tests.Storage;

/// <summary>The install lock, driven with a fake install: no npm, no network.</summary>
public sealed class AzuriteInstallLockTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("azurite-lock-").FullName;

    private string LockPath => Path.Combine(_folder, "install.lock");

    private string Marker => Path.Combine(_folder, "installed");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task InstallOnceAsync_TwoConcurrentCallers_OnlyOneInstalls()
    {
        var installs = 0;
        var installing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondChecked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Install(CancellationToken ct)
        {
            Interlocked.Increment(ref installs);
            installing.TrySetResult();
            await release.Task.WaitAsync(ct);
            await File.WriteAllTextAsync(Marker, "done", ct);
        }

        var first = AzuriteInstaller.InstallOnceAsync(LockPath, () => File.Exists(Marker), Install, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        await installing.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = AzuriteInstaller.InstallOnceAsync(
            LockPath,
            () =>
            {
                var installed = File.Exists(Marker);
                secondChecked.TrySetResult();
                return installed;
            },
            Install,
            TimeSpan.FromSeconds(30),
            TimeProvider.System,
            CancellationToken.None);

        // The second caller has seen "not installed" while the first is mid-install: only the lock keeps it from installing too.
        await secondChecked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        second.IsCompleted.Should().BeFalse();
        release.SetResult();

        (await first).Should().BeTrue();
        (await second).Should().BeFalse();
        installs.Should().Be(1);
        File.Exists(LockPath).Should().BeFalse("the lock file goes when its holder is done");
    }

    [Fact]
    public async Task InstallOnceAsync_InstallFails_LockReleasedAndNextCallInstalls()
    {
        var failing = () => AzuriteInstaller.InstallOnceAsync(LockPath, () => File.Exists(Marker), _ => throw new InvalidOperationException("npm failed"), TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);
        await failing.Should().ThrowAsync<InvalidOperationException>().WithMessage("npm failed");

        var installed = await AzuriteInstaller.InstallOnceAsync(LockPath, () => File.Exists(Marker), ct => File.WriteAllTextAsync(Marker, "done", ct), TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);

        installed.Should().BeTrue();
        File.Exists(Marker).Should().BeTrue();
    }

    [Fact]
    public async Task InstallOnceAsync_AlreadyInstalled_TakesNoLock()
    {
        await File.WriteAllTextAsync(Marker, "done");
        using var held = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var installed = await AzuriteInstaller.InstallOnceAsync(LockPath, () => File.Exists(Marker), _ => throw new InvalidOperationException("must not install"), TimeSpan.FromMilliseconds(1), TimeProvider.System, CancellationToken.None);

        installed.Should().BeFalse();
    }

    [Fact]
    public async Task InstallOnceAsync_LockHeldPastTimeout_SaysWhichFileAndWhatToDo()
    {
        using var held = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var act = () => AzuriteInstaller.InstallOnceAsync(LockPath, () => false, _ => Task.CompletedTask, TimeSpan.Zero, TimeProvider.System, CancellationToken.None);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain(LockPath).And.Contain("InstallTimeout");
    }

    [Fact]
    public async Task InstallOnceAsync_LockHeld_TimesOutOnTheTimeProvider()
    {
        using var held = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var time = new FakeTimeProvider();

        var install = AzuriteInstaller.InstallOnceAsync(LockPath, () => false, _ => Task.CompletedTask, TimeSpan.FromMinutes(5), time, CancellationToken.None);
        install.IsCompleted.Should().BeFalse("the lock is held and no time has passed");
        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var act = () => install.WaitAsync(TimeSpan.FromSeconds(30));
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("longer than 00:05:00");
    }

    [Fact]
    public async Task InstallOnceAsync_LockReleasedWhileWaiting_InstallsOnTheNextTry()
    {
        var held = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var time = new FakeTimeProvider();

        var install = AzuriteInstaller.InstallOnceAsync(LockPath, () => File.Exists(Marker), ct => File.WriteAllTextAsync(Marker, "done", ct), TimeSpan.FromMinutes(5), time, CancellationToken.None);
        install.IsCompleted.Should().BeFalse();
        await held.DisposeAsync();
        time.Advance(TimeSpan.FromMilliseconds(250));

        (await install.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        File.Exists(Marker).Should().BeTrue();
    }
}
