using System.Diagnostics;
using System.Diagnostics.Metrics;
using AzureMl.Client;
using AzureMl.Client.Telemetry;
using Spectre.Console;

namespace AzureMl.Cli;

/// <summary><c>azureml score input.csv output.csv</c>: bulk request-response scoring with a live progress bar.</summary>
internal static class ScoreCommand
{
    public sealed record Settings(FileInfo Input, FileInfo Output, int BatchSize, int Concurrency, bool ContinueOnError);

    public static async Task<int> RunAsync(CliConnection connection, Settings settings, IAnsiConsole status, CancellationToken cancellationToken)
    {
        if (!settings.Input.Exists)
        {
            throw new CliException(ExitCodes.InputError, $"The input file '{settings.Input.FullName}' does not exist.");
        }

        var total = CountRecords(settings.Input);
        using var input = new StreamReader(settings.Input.FullName);
        var header = Csv.ReadRecord(input, 1)
            ?? throw new CliException(ExitCodes.InputError, $"The input file '{settings.Input.Name}' is empty: its first line must name the columns.");

        using var tracker = new ScoreTracker();
        var options = new BulkScoringOptions
        {
            BatchSize = settings.BatchSize,
            MaxConcurrency = settings.Concurrency,
            ContinueOnBatchFailure = settings.ContinueOnError,
            Progress = tracker,
        };
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new CliException(ExitCodes.UsageError, string.Join(" ", problems));
        }

        var temporary = settings.Output.FullName + ".partial";
        long written = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            await using (var output = new StreamWriter(temporary))
            {
                await status.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("Scoring", maxValue: Math.Max(total, 1));
                        tracker.Attach(task, total, watch);
                        var columnsWritten = false;
                        await foreach (var batch in connection.Client.ScoreBulkAsync(header, ReadRows(input, header.Count), options, cancellationToken))
                        {
                            if (!batch.Succeeded)
                            {
                                failed += batch.RowCount;
                                continue;
                            }

                            if (!columnsWritten && batch.Output?.ColumnNames is { } names)
                            {
                                await Csv.WriteRecordAsync(output, names);
                                columnsWritten = true;
                            }

                            foreach (var row in batch.Results)
                            {
                                await Csv.WriteRecordAsync(output, Enumerable.Range(0, row.Count).Select(row.GetString));
                            }

                            written += batch.RowCount;
                        }

                        tracker.Complete();
                    });
            }

            File.Move(temporary, settings.Output.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        var line = $"Scored {written:N0} {(written == 1 ? "row" : "rows")} in {watch.Elapsed.TotalSeconds:0.0} s ({written / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0} rows/s) into {settings.Output.Name}";
        Console.Out.WriteLine(failed > 0 ? $"{line}; {failed:N0} rows failed and are not in the output." : line + ".");
        return failed > 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
    }

    private static async IAsyncEnumerable<IReadOnlyList<object?>> ReadRows(StreamReader input, int columns)
    {
        long line = 1;
        while (Csv.ReadRecord(input, ++line) is { } record)
        {
            if (record.Count != columns)
            {
                throw new CliException(ExitCodes.InputError, $"Record {line - 1} has {record.Count} fields; the header has {columns}.");
            }

            yield return record.ToArray();
        }

        await Task.CompletedTask;
    }

    private static long CountRecords(FileInfo file)
    {
        using var reader = new StreamReader(file.FullName);
        long count = -1; // the header
        while (Csv.ReadRecord(reader, count + 2) is not null)
        {
            count++;
        }

        return Math.Max(count, 0);
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
