namespace AzureMl.Emulator;

/// <summary>
/// What an emulated service computes: a row-wise function from an input row to one row per output, with
/// declared input and output schemas. Derive from it, or build one with
/// <see cref="Create(IEnumerable{EmulatedColumn}, IEnumerable{EmulatedColumn}, Func{EmulatedRow, CancellationToken, ValueTask{IReadOnlyList{string}}})"/>
/// (one output) or
/// <see cref="Create(IEnumerable{EmulatedColumn}, IEnumerable{EmulatedOutput}, Func{EmulatedRow, CancellationToken, ValueTask{IReadOnlyList{IReadOnlyList{string}}}})"/>
/// (several outputs).
/// </summary>
public abstract class EmulatedModel
{
    private readonly IReadOnlyList<EmulatedOutput>? _outputs;
    private IReadOnlyList<EmulatedOutput>? _singleOutput;

    /// <summary>Initializes a new instance of the <see cref="EmulatedModel"/> class with one output, named <see cref="OutputName"/>.</summary>
    /// <param name="inputColumns">The input schema; requests must carry these columns, in any order.</param>
    /// <param name="outputColumns">The output schema.</param>
    /// <param name="globalParameters">The names of required global parameters; others are refused.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027", Justification = "The overload for several outputs has as many parameters and a distinct second parameter type; it keeps its last one required.")]
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

    /// <summary>Initializes a new instance of the <see cref="EmulatedModel"/> class with several outputs, such as <c>output1</c> and <c>output2</c>.</summary>
    /// <param name="inputColumns">The input schema; requests must carry these columns, in any order.</param>
    /// <param name="outputs">The outputs, in the order the service reports them; names must differ.</param>
    /// <param name="globalParameters">The names of required global parameters, others being refused; <see langword="null"/> for none.</param>
    protected EmulatedModel(IEnumerable<EmulatedColumn> inputColumns, IEnumerable<EmulatedOutput> outputs, IEnumerable<string>? globalParameters)
    {
        ArgumentNullException.ThrowIfNull(inputColumns);
        ArgumentNullException.ThrowIfNull(outputs);
        InputColumns = [.. inputColumns];
        _outputs = [.. outputs];
        GlobalParameters = globalParameters is null ? [] : [.. globalParameters];
        if (_outputs.Count == 0)
        {
            throw new ArgumentException("A model needs at least one output.", nameof(outputs));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in _outputs)
        {
            if (output is null)
            {
                throw new ArgumentException("The outputs hold a null entry.", nameof(outputs));
            }

            if (!names.Add(output.Name))
            {
                throw new ArgumentException($"The output name '{output.Name}' is used twice.", nameof(outputs));
            }
        }

        OutputColumns = _outputs[0].Columns;
    }

    /// <summary>Gets the input schema.</summary>
    public IReadOnlyList<EmulatedColumn> InputColumns { get; }

    /// <summary>Gets the schema of the first output.</summary>
    public IReadOnlyList<EmulatedColumn> OutputColumns { get; }

    /// <summary>Gets every output: its name and schema.</summary>
    /// <value>For a model built with one output, that output, named <see cref="OutputName"/>.</value>
    public IReadOnlyList<EmulatedOutput> Outputs => _outputs ?? (_singleOutput ??= [new EmulatedOutput(OutputName, OutputColumns)]);

    /// <summary>Gets the names of the required global parameters.</summary>
    public IReadOnlyList<string> GlobalParameters { get; }

    /// <summary>Gets the name of the input port.</summary>
    /// <value><c>input1</c>.</value>
    public virtual string InputName => "input1";

    /// <summary>Gets the name of the (first) output port.</summary>
    /// <value><c>output1</c>, or the first output's name for a model built with several outputs.</value>
    public virtual string OutputName => _outputs is null ? "output1" : _outputs[0].Name;

    /// <summary>Scores one row for a model with one output. A model with several outputs overrides <see cref="ScoreOutputsAsync"/> instead.</summary>
    /// <param name="row">The input row.</param>
    /// <param name="cancellationToken">Signalled when the call or job is abandoned or cancelled.</param>
    /// <returns>The output cells, one per <see cref="OutputColumns"/> entry.</returns>
    /// <exception cref="NotSupportedException">The model has one output and does not override this method.</exception>
    public virtual async ValueTask<IReadOnlyList<string?>> ScoreAsync(EmulatedRow row, CancellationToken cancellationToken)
    {
        if (_outputs is null)
        {
            throw new NotSupportedException($"{GetType().Name} must override {nameof(ScoreAsync)} or {nameof(ScoreOutputsAsync)}.");
        }

        var rows = await ScoreOutputsAsync(row, cancellationToken).ConfigureAwait(false);
        return rows[0];
    }

    /// <summary>Scores one row into one row per output.</summary>
    /// <param name="row">The input row.</param>
    /// <param name="cancellationToken">Signalled when the call or job is abandoned or cancelled.</param>
    /// <returns>One row per <see cref="Outputs"/> entry, in that order, each with one cell per column of its output.</returns>
    /// <exception cref="NotSupportedException">The model has several outputs and does not override this method.</exception>
    public virtual async ValueTask<IReadOnlyList<IReadOnlyList<string?>>> ScoreOutputsAsync(EmulatedRow row, CancellationToken cancellationToken)
    {
        if (_outputs is not null)
        {
            throw new NotSupportedException($"{GetType().Name} has several outputs and must override {nameof(ScoreOutputsAsync)}.");
        }

        return [await ScoreAsync(row, cancellationToken).ConfigureAwait(false)];
    }

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

    /// <summary>Creates a model with several outputs from a delegate.</summary>
    /// <param name="inputColumns">The input schema.</param>
    /// <param name="outputs">The outputs, such as <c>output1</c> and <c>output2</c>, each with its schema.</param>
    /// <param name="score">Scores one row into one row per output, in the order of <paramref name="outputs"/>.</param>
    /// <returns>The model.</returns>
    public static EmulatedModel Create(
        IEnumerable<EmulatedColumn> inputColumns,
        IEnumerable<EmulatedOutput> outputs,
        Func<EmulatedRow, CancellationToken, ValueTask<IReadOnlyList<IReadOnlyList<string?>>>> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new MultiOutputDelegateModel(inputColumns, outputs, score);
    }

    /// <summary>Creates a model with several outputs from a synchronous delegate.</summary>
    /// <param name="inputColumns">The input schema.</param>
    /// <param name="outputs">The outputs, such as <c>output1</c> and <c>output2</c>, each with its schema.</param>
    /// <param name="score">Scores one row into one row per output, in the order of <paramref name="outputs"/>.</param>
    /// <returns>The model.</returns>
    public static EmulatedModel Create(
        IEnumerable<EmulatedColumn> inputColumns,
        IEnumerable<EmulatedOutput> outputs,
        Func<EmulatedRow, IReadOnlyList<IReadOnlyList<string?>>> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new MultiOutputDelegateModel(inputColumns, outputs, (row, _) => ValueTask.FromResult(score(row)));
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

    private sealed class MultiOutputDelegateModel(
        IEnumerable<EmulatedColumn> inputColumns,
        IEnumerable<EmulatedOutput> outputs,
        Func<EmulatedRow, CancellationToken, ValueTask<IReadOnlyList<IReadOnlyList<string?>>>> score)
        : EmulatedModel(inputColumns, outputs, null)
    {
        public override ValueTask<IReadOnlyList<IReadOnlyList<string?>>> ScoreOutputsAsync(EmulatedRow row, CancellationToken cancellationToken) =>
            score(row, cancellationToken);
    }
}
