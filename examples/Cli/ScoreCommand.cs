using System.Diagnostics;
using System.Globalization;
using System.Text;
using AzureMl.Csv;
using System.Diagnostics.Metrics;
using AzureMl.Client;
using AzureMl.Client.Telemetry;
using Spectre.Console;

namespace AzureMl.Cli;

/// <summary><c>azureml score input.csv output.csv</c>: bulk request-response scoring with a live progress bar.</summary>
internal static class ScoreCommand
{
    public sealed record Settings(FileInfo Input, FileInfo Output, BulkScoringOptions Options, FileInfo? FailedRows, string? Encoding, bool Typed = false);

    /// <summary>Checks the flags and paths before anything starts (the emulator included), naming the flags.</summary>
    public static void Validate(Settings settings)
    {
        if (settings.Options.Validate() is { Count: > 0 } problems)
        {
            throw new CliException(ExitCodes.UsageError, string.Join(" ", problems)
                .Replace(nameof(BulkScoringOptions.MaxConcurrency), "--concurrency", StringComparison.Ordinal)
                .Replace(nameof(BulkScoringOptions.ChunkSize), "--chunk-size", StringComparison.Ordinal));
        }

        _ = CsvInput.ParseEncoding(settings.Encoding);
        OutputFile.Check(settings.Output, settings.Input, "output");
        if (settings.FailedRows is { } failedRows)
        {
            OutputFile.Check(failedRows, settings.Input, "--failed-rows file");
            if (OutputFile.Same(failedRows, settings.Output))
            {
                throw new CliException(ExitCodes.UsageError, "--failed-rows names the output file: give the failed records a file of their own.");
            }
        }
    }

    public static async Task<int> RunAsync(CliConnection connection, Settings settings, IAnsiConsole status, CancellationToken cancellationToken)
    {
        var input = await CsvInput.OpenAsync(settings.Input, CsvInput.ParseEncoding(settings.Encoding), cancellationToken);
        var total = input.Records;
        var kinds = settings.Typed ? await TypedColumns.InferAsync(input, status, cancellationToken) : null;

        using var tracker = new ScoreTracker();
        var options = settings.Options;
        options.Progress = tracker;
        var lines = new List<long>(); // the line of each data record, for the failure report
        var failures = new List<(long First, long Last, BulkScoringException Error)>();

        var temporary = settings.Output.FullName + ".partial";
        long written = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            await using (var output = new StreamWriter(temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                var csv = new CsvWriter(output);
                var columnsWritten = false;
                await status.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("Scoring", maxValue: Math.Max(total, 1));
                        tracker.Attach(task, total, watch);
                        await foreach (var chunk in connection.ScoreBulkAsync(input.Header, Rows(input, lines, kinds, cancellationToken), options, cancellationToken))
                        {
                            if (!chunk.Succeeded)
                            {
                                failed += chunk.RowCount;
                                failures.Add((chunk.FirstRow, chunk.FirstRow + chunk.RowCount - 1, chunk.Error!));
                                continue;
                            }

                            if (!columnsWritten && chunk.Output?.ColumnNames is { } names)
                            {
                                await csv.WriteRecordAsync([.. names], cancellationToken);
                                columnsWritten = true;
                            }

                            foreach (var row in chunk.Results)
                            {
                                await csv.WriteRecordAsync([.. Enumerable.Range(0, row.Count).Select(row.GetString)], cancellationToken);
                            }

                            written += chunk.RowCount;
                        }

                        tracker.Complete();
                    });

                if (!columnsWritten)
                {
                    // No row came back (none in the file, or every chunk failed): the service's columns are unknown,
                    // so the output keeps the input's header and stays a valid, empty table.
                    await csv.WriteRecordAsync(input.Header, cancellationToken);
                }
            }

            File.Move(temporary, settings.Output.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        foreach (var (first, last, error) in failures)
        {
            Console.Error.WriteLine($"azureml: {Range(first, last, lines)} failed: {Describe(error)}{(connection.OnlineClient is null ? null : CliErrors.OnlineHint(error.ScoringError))}");
        }

        if (settings.FailedRows is { } failedRows && failures.Count > 0)
        {
            await WriteFailedRowsAsync(input, failures, failedRows, cancellationToken);
            Console.Error.WriteLine($"azureml: the {failed:N0} failed {(failed == 1 ? "record is" : "records are")} in {failedRows.Name}, with the header: fix them and score that file.");
        }

        var summary = total == 0
            ? $"{settings.Input.Name} has a header and no records: {settings.Output.Name} holds the header only"
            : $"Scored {written:N0} {(written == 1 ? "row" : "rows")} in {watch.Elapsed.TotalSeconds:0.0} s ({written / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0} rows/s) into {settings.Output.Name}";
        Console.Out.WriteLine(failed > 0
            ? $"{summary}; {failed:N0} {(failed == 1 ? "row" : "rows")} in {failures.Count} {(failures.Count == 1 ? "range" : "ranges")} failed and {(failed == 1 ? "is" : "are")} not in the output."
            : summary + ".");
        return failed > 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
    }

    private static async IAsyncEnumerable<IReadOnlyList<object?>> Rows(
        CsvInput input, List<long> lines, TypedColumns.Kind[]? kinds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (fields, _, line) in input.ReadRecordsAsync(cancellationToken))
        {
            lines.Add(line);
            yield return kinds is null ? fields : TypedColumns.Convert(fields, kinds);
        }
    }

    // Data row i (0-based, as the bulk run counts) is record i + 2: the header is record 1.
    private static string Range(long first, long last, List<long> lines)
    {
        string Line(long row) => row < lines.Count ? lines[(int)row].ToString(CultureInfo.InvariantCulture) : "?";
        return first == last
            ? $"record {first + 2} (line {Line(first)})"
            : $"records {first + 2} to {last + 2} (lines {Line(first)} to {Line(last)})";
    }

    private static string Describe(BulkScoringException error) => error.ScoringError is { } e
        ? $"{e.Status}{(e.ErrorCode is null ? null : " " + e.ErrorCode)}{(e.DetailCode is { } d && d != e.ErrorCode ? "/" + d : string.Empty)}: {e.ServerMessage ?? e.Message}"
        : error.Message;

    private static async Task WriteFailedRowsAsync(CsvInput input, List<(long First, long Last, BulkScoringException Error)> failures, FileInfo path, CancellationToken cancellationToken)
    {
        var ranges = failures.Select(f => (f.First, f.Last)).OrderBy(r => r.First).ToList();
        var temporary = path.FullName + ".partial";
        try
        {
            await using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                var csv = new CsvWriter(writer);
                await csv.WriteRecordAsync(input.Header, cancellationToken);
                long row = -1;
                var next = 0;
                await foreach (var (fields, _, _) in input.ReadRecordsAsync(cancellationToken))
                {
                    row++;
                    while (next < ranges.Count && ranges[next].Last < row)
                    {
                        next++;
                    }

                    if (next == ranges.Count)
                    {
                        break;
                    }

                    if (row >= ranges[next].First)
                    {
                        await csv.WriteRecordAsync(fields, cancellationToken);
                    }
                }
            }

            File.Move(temporary, path.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Turns the run's progress snapshots (and the client's retry metric) into the progress bar's text.</summary>
    private sealed class ScoreTracker : IProgress<BulkScoringProgress>, IDisposable
    {
        private readonly Lock _lock = new();
        private readonly MeterListener _retries = new();
        private long _retried;
        private ProgressTask? _task;
        private long _total;
        private Stopwatch? _watch;

        public ScoreTracker()
        {
            _retries.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AzureMlDiagnostics.Name && instrument.Name == "azureml.client.request.retries")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _retries.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _retried, value));
            _retries.Start();
        }

        public void Attach(ProgressTask task, long total, Stopwatch watch)
        {
            lock (_lock)
            {
                _task = task;
                _total = total;
                _watch = watch;
            }
        }

        public void Report(BulkScoringProgress value)
        {
            lock (_lock)
            {
                if (_task is null || _watch is null)
                {
                    return;
                }

                var done = value.RowsScored + value.RowsFailed;
                _task.Value = Math.Min(done, _total);
                var rate = done / Math.Max(_watch.Elapsed.TotalSeconds, 0.001);
                var throttled = value.ThrottlingWaits + Interlocked.Read(ref _retried) > 0
                    ? $" · throttled {value.ThrottlingWaits}× ({value.ThrottlingDelay.TotalSeconds:0.0} s), {Interlocked.Read(ref _retried)} retried calls"
                    : string.Empty;
                var failed = value.RowsFailed > 0 ? $" · [red]{value.RowsFailed:N0} failed[/]" : string.Empty;
                _task.Description = $"Scoring {done:N0}/{_total:N0} rows · {rate:N0} rows/s · {value.Concurrency} in flight{throttled}{failed}";
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                if (_task is not null)
                {
                    _task.Value = _task.MaxValue;
                    _task.StopTask();
                }
            }
        }

        public void Dispose() => _retries.Dispose();
    }
}
