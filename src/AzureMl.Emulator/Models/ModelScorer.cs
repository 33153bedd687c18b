namespace AzureMl.Emulator;

/// <summary>
/// Scores one row with a model and checks the answer against the outputs the model declares. The one way every
/// protocol runs a model: request-response execute, batch jobs and online endpoints; each maps a
/// <see cref="ModelScoringException"/> to its own answer.
/// </summary>
internal static class ModelScorer
{
    /// <returns>One row per output of the model, each with one cell per column of that output.</returns>
    /// <exception cref="ModelScoringException">The model threw, or its answer does not match its outputs.</exception>
    public static async ValueTask<IReadOnlyList<IReadOnlyList<string?>>> ScoreAsync(EmulatedModel model, EmulatedRow row, CancellationToken cancellationToken)
    {
        IReadOnlyList<IReadOnlyList<string?>> scored;
        try
        {
            scored = await model.ScoreOutputsAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ModelScoringException(ModelScoringFailure.ModelFailed, $"The model failed on row {row.Index + 1}: {e.Message}", e);
        }

        var outputs = model.Outputs;
        if (scored is null || scored.Count != outputs.Count)
        {
            throw new ModelScoringException(
                ModelScoringFailure.OutputMismatch,
                $"The model returned {scored?.Count ?? 0} output rows for row {row.Index + 1}, but declares {outputs.Count} outputs.");
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            if (scored[i] is null || scored[i].Count != outputs[i].Columns.Count)
            {
                throw new ModelScoringException(
                    ModelScoringFailure.OutputMismatch,
                    outputs.Count == 1
                        ? $"The model returned {scored[i]?.Count ?? 0} values for row {row.Index + 1}, but declares {outputs[i].Columns.Count} output columns."
                        : $"The model returned {scored[i]?.Count ?? 0} values of '{outputs[i].Name}' for row {row.Index + 1}, but declares {outputs[i].Columns.Count} columns for it.");
            }
        }

        return scored;
    }
}

/// <summary>Why a row could not be scored.</summary>
internal enum ModelScoringFailure
{
    /// <summary>The model threw: the caller's input or the model is at fault.</summary>
    ModelFailed,

    /// <summary>The model answered with a shape other than the outputs it declares: the model is at fault.</summary>
    OutputMismatch,
}

/// <summary>A row the model could not score, with a message that names the row.</summary>
internal sealed class ModelScoringException(ModelScoringFailure failure, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public ModelScoringFailure Failure { get; } = failure;
}
