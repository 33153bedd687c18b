namespace AzureMl.Emulator;

/// <summary>
/// What an emulated service computes: a row-wise function from an input row to an output row, with
/// declared input and output schemas. Derive from it, or build one with <see cref="Create(IEnumerable{EmulatedColumn}, IEnumerable{EmulatedColumn}, Func{EmulatedRow, CancellationToken, ValueTask{IReadOnlyList{string}}})"/>.
/// </summary>
public abstract class EmulatedModel
{
    /// <summary>Initializes a new instance of the <see cref="EmulatedModel"/> class.</summary>
    /// <param name="inputColumns">The input schema; requests must carry these columns, in any order.</param>
    /// <param name="outputColumns">The output schema.</param>
    /// <param name="globalParameters">The names of required global parameters; others are refused.</param>
    protected EmulatedModel(IEnumerable<EmulatedColumn> inputColumns, IEnumerable<EmulatedColumn> outputColumns, IEnumerable<string>? globalParameters = null)
    {
        ArgumentNullException.ThrowIfNull(inputColumns);
        ArgumentNullException.ThrowIfNull(outputColumns);
        InputColumns = [.. inputColumns];
        OutputColumns = [.. outputColumns];
        GlobalParameters = globalParameters is null ? [] : [.. globalParameters];
        if (OutputColumns.Count == 0)
        {
            throw new ArgumentException("A model needs at least one output column.", nameof(outputColumns));
        }
    }

    /// <summary>Gets the input schema.</summary>
    public IReadOnlyList<EmulatedColumn> InputColumns { get; }

    /// <summary>Gets the output schema.</summary>
    public IReadOnlyList<EmulatedColumn> OutputColumns { get; }

    /// <summary>Gets the names of the required global parameters.</summary>
    public IReadOnlyList<string> GlobalParameters { get; }

    /// <summary>Gets the name of the input port.</summary>
    /// <value><c>input1</c>.</value>
    public virtual string InputName => "input1";

    /// <summary>Gets the name of the output port.</summary>
    /// <value><c>output1</c>.</value>
    public virtual string OutputName => "output1";

    /// <summary>Scores one row.</summary>
    /// <param name="row">The input row.</param>
    /// <param name="cancellationToken">Signalled when the call or job is abandoned or cancelled.</param>
    /// <returns>The output cells, one per <see cref="OutputColumns"/> entry.</returns>
    public abstract ValueTask<IReadOnlyList<string?>> ScoreAsync(EmulatedRow row, CancellationToken cancellationToken);

    /// <summary>Creates a model from a delegate.</summary>
    /// <param name="inputColumns">The input schema.</param>
    /// <param name="outputColumns">The output schema.</param>
    /// <param name="score">Scores one row.</param>
    /// <returns>The model.</returns>
    public static EmulatedModel Create(
        IEnumerable<EmulatedColumn> inputColumns,
        IEnumerable<EmulatedColumn> outputColumns,
        Func<EmulatedRow, CancellationToken, ValueTask<IReadOnlyList<string?>>> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new DelegateModel(inputColumns, outputColumns, score);
    }

    /// <summary>Creates a model from a synchronous delegate.</summary>
    /// <param name="inputColumns">The input schema.</param>
    /// <param name="outputColumns">The output schema.</param>
    /// <param name="score">Scores one row.</param>
    /// <returns>The model.</returns>
    public static EmulatedModel Create(
        IEnumerable<EmulatedColumn> inputColumns,
        IEnumerable<EmulatedColumn> outputColumns,
        Func<EmulatedRow, IReadOnlyList<string?>> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new DelegateModel(inputColumns, outputColumns, (row, _) => ValueTask.FromResult(score(row)));
    }

    private sealed class DelegateModel(
        IEnumerable<EmulatedColumn> inputColumns,
        IEnumerable<EmulatedColumn> outputColumns,
        Func<EmulatedRow, CancellationToken, ValueTask<IReadOnlyList<string?>>> score)
        : EmulatedModel(inputColumns, outputColumns)
    {
        public override ValueTask<IReadOnlyList<string?>> ScoreAsync(EmulatedRow row, CancellationToken cancellationToken) =>
            score(row, cancellationToken);
    }
}
