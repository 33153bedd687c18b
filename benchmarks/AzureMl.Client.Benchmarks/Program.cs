using AzureMl.Client.Benchmarks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// --quick runs every benchmark once with small inputs, to prove they still work (CI); it measures nothing.
BenchmarkSettings.Quick = args.Contains("--quick");
args = [.. args.Where(a => a != "--quick")];
if (args.Length == 0)
{
    args = ["--filter", "*"];
}

var config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableLogFile);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkSettings).Assembly).Run(args, config).ToList();
var failed = summaries.Count == 0
    || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success) || s.Reports.Length == 0);
return failed ? 1 : 0;
