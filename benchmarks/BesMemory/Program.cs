// Measures the client's peak memory in a one-call batch run (RunBatchJobAsync) for a small and a large CSV.
// The emulator and Azurite run in this process (or Node.js); each measured run is a fresh child process that
// hosts only the client, so its figures are the client's alone.
//
//   dotnet run -c Release --project benchmarks/BesMemory [-- --small-mib 1 --large-mib 256 --limit-mib 64]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AzureMl.Client;
using AzureMl.Client.Batch;
using AzureMl.Emulator;

const string ClientMode = "--client";
var invariant = CultureInfo.InvariantCulture;

if (args.Length > 0 && args[0] == ClientMode)
{
    return await RunClientAsync(args[1]);
}

var smallMib = Option("--small-mib", 1);
var largeMib = Option("--large-mib", 256);
var limitMib = Option("--limit-mib", 64);

Console.WriteLine("Starting Azurite and the emulator…");
await using var azurite = await AzuriteInstance.StartAsync();
await using var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = azurite.ConnectionString });

var results = new List<(int Mib, Measurement M)>();
foreach (var mib in new[] { smallMib, largeMib })
{
    var path = Path.Combine(Path.GetTempPath(), $"bes-memory-{mib}mib-{Guid.NewGuid():N}.csv");
    try
    {
        WriteCsv(path, mib * 1024L * 1024L);
        Console.WriteLine($"Running {mib} MiB ({new FileInfo(path).Length:N0} bytes)…");
        var m = await RunChildAsync(path, emulator, azurite);
        results.Add((mib, m));
        Console.WriteLine($"  {m.Seconds:F1} s, peak working set {Mb(m.PeakWorkingSet)} MiB, peak managed heap {Mb(m.PeakManaged)} MiB, output {m.OutputBytes:N0} bytes");
    }
    finally
    {
        File.Delete(path);
    }
}

var small = results[0].M;
var large = results[1].M;
var wsDiff = large.PeakWorkingSet - small.PeakWorkingSet;
var heapDiff = large.PeakManaged - small.PeakManaged;
Console.WriteLine();
Console.WriteLine("| input | seconds | peak working set (MiB) | peak managed heap (MiB) |");
Console.WriteLine("| --- | --- | --- | --- |");
foreach (var (mib, m) in results)
{
    Console.WriteLine($"| {mib} MiB | {m.Seconds:F1} | {Mb(m.PeakWorkingSet)} | {Mb(m.PeakManaged)} |");
}

Console.WriteLine();
Console.WriteLine($"Difference {largeMib} MiB vs {smallMib} MiB: working set {Mb(wsDiff)} MiB (ratio {(double)large.PeakWorkingSet / small.PeakWorkingSet:F2}), managed heap {Mb(heapDiff)} MiB; limit {limitMib} MiB.");
var pass = wsDiff <= limitMib * 1024L * 1024L;
Console.WriteLine(pass ? "PASS" : "FAIL");
return pass ? 0 : 1;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], invariant) : fallback;
}

static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

static void WriteCsv(string path, long bytes)
{
    using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
    writer.Write("Col2\n");
    var random = new Random(42);
    string[] words = ["this", "is", "a", "good", "day", "the", "service", "scores", "every", "row", "of", "text", "with", "feature", "hashing"];
    var line = new StringBuilder();
    long written = 5;
    while (written < bytes)
    {
        line.Clear();
        for (var i = 0; i < 24; i++)
        {
            line.Append(words[random.Next(words.Length)]).Append(' ');
        }

        line.Length--;
        line.Append('\n');
        writer.Write(line);
        written += line.Length;
    }
}

static async Task<Measurement> RunChildAsync(string csvPath, AzureMlEmulator emulator, AzuriteInstance azurite)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    var entry = typeof(Measurement).Assembly.Location;
    if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(Path.GetFileNameWithoutExtension(entry), StringComparison.OrdinalIgnoreCase))
    {
        info.ArgumentList.Add(entry);
    }

    info.ArgumentList.Add(ClientMode);
    info.ArgumentList.Add(csvPath);
    // Settings travel in the environment, not the command line, so that no key shows in a process list.
    info.Environment["BES_SERVICE_ROOT"] = emulator.ServiceRoot.AbsoluteUri;
    info.Environment["BES_WORKSPACE"] = emulator.WorkspaceId;
    info.Environment["BES_SERVICE"] = emulator.ServiceId;
    info.Environment["BES_API_KEY"] = emulator.ApiKey;
    info.Environment["BES_STORAGE"] = azurite.ConnectionString;
    using var process = Process.Start(info)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException("The client run failed: " + output);
    }

    return Measurement.Parse(output.Trim().Split('\n')[^1]);
}

static async Task<int> RunClientAsync(string csvPath)
{
    var client = new AzureMlClient(new HttpClient(), new AzureMlClientOptions
    {
        Endpoint = new Uri(Environment.GetEnvironmentVariable("BES_SERVICE_ROOT")!),
        WorkspaceId = Environment.GetEnvironmentVariable("BES_WORKSPACE"),
        ServiceId = Environment.GetEnvironmentVariable("BES_SERVICE"),
        ApiKey = Environment.GetEnvironmentVariable("BES_API_KEY"),
    });
    var options = new BatchRunOptions
    {
        StorageConnectionString = Environment.GetEnvironmentVariable("BES_STORAGE"),
        ContainerName = "bes-memory",
        DeleteJobOnCompletion = true,
        Polling = new BatchPollingOptions { InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(2) },
    };

    long peakManaged = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
            try
            {
                await Task.Delay(20, sampling.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    });

    var stopwatch = Stopwatch.StartNew();
    var result = await client.RunBatchJobAsync(BatchJobInput.FromFile(csvPath), options);
    var counter = new CountingStream();
    await result.DownloadOutputAsync("output1", counter);
    // The returned SAS is read-only: the output is removed with the account's own key.
    await new Azure.Storage.Blobs.BlobContainerClient(options.StorageConnectionString, options.ContainerName).DeleteBlobIfExistsAsync(result.Outputs["output1"].BlobName);
    stopwatch.Stop();
    await sampling.CancelAsync();
    await sampler;

    using var self = Process.GetCurrentProcess();
    self.Refresh();
    Console.WriteLine(new Measurement(self.PeakWorkingSet64, peakManaged, counter.Length, stopwatch.Elapsed.TotalSeconds));
    return 0;
}

internal sealed record Measurement(long PeakWorkingSet, long PeakManaged, long OutputBytes, double Seconds)
{
    public override string ToString() => FormattableString.Invariant($"{PeakWorkingSet};{PeakManaged};{OutputBytes};{Seconds}");

    public static Measurement Parse(string text)
    {
        var p = text.Split(';');
        var c = CultureInfo.InvariantCulture;
        return new Measurement(long.Parse(p[0], c), long.Parse(p[1], c), long.Parse(p[2], c), double.Parse(p[3], c));
    }
}

/// <summary>Counts the bytes written to it and discards them.</summary>
internal sealed class CountingStream : Stream
{
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _length += count;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _length += buffer.Length;
        return ValueTask.CompletedTask;
    }
}
