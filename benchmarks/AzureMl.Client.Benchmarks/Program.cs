using AzureMl.Client.Benchmarks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// --quick runs every benchmark once with small inputs, to prove they still work (CI); it measures nothing.
BenchmarkSettings.Quick = args.Contains("--quick");
BenchmarkSettings.SharedCores = args.Contains("--shared-cores");
args = [.. args.Where(a => a is not "--quick" and not "--shared-cores")];

// --paired [rounds] measures bulk scoring against the emulator ceiling in interleaved rounds (see PairedBulkFraction).
if (args.Length > 0 && args[0] == "--paired")
{
    var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40;
    return await PairedBulkFraction.RunAsync(BenchmarkSettings.Quick ? 2 : rounds, warmupRounds: BenchmarkSettings.Quick ? 1 : 10);
}
// --paired-online [rounds] measures online bulk scoring against the online endpoint's ceiling in interleaved rounds;
// --paired-online-parse [rounds] the ceiling with its answers parsed by the online client's parser instead.
if (args.Length > 0 && args[0] is "--paired-online" or "--paired-online-parse")
{
    var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40;
    return await PairedBulkFraction.RunOnlineAsync(BenchmarkSettings.Quick ? 2 : rounds, warmupRounds: BenchmarkSettings.Quick ? 1 : 10, parsedCeiling: args[0] == "--paired-online-parse");
}

// --paired-faults [rounds] measures bulk scoring with 10% of calls faulted against no faults, in interleaved rounds.
if (args.Length > 0 && args[0] == "--paired-faults")
{
    var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40;
    return await PairedBulkFaults.RunAsync(BenchmarkSettings.Quick ? 2 : rounds, warmupRounds: BenchmarkSettings.Quick ? 1 : 10);
}

if (args.Length == 0)
{
    args = ["--filter", "*"];
}

var config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableLogFile);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkSettings).Assembly).Run(args, config).ToList();
var failed = summaries.Count == 0
    || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success) || s.Reports.Length == 0);
return failed ? 1 : 0;
