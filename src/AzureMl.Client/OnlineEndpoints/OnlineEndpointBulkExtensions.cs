using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using AzureMl.Client.Internal;

namespace AzureMl.Client.OnlineEndpoints;

/// <summary>
/// Bulk scoring and typed rows on any <see cref="IOnlineEndpointClient"/>, with the same engine as the classic
/// service's (<see cref="AzureMlClientBulkExtensions"/>): rows are split into chunks sent as MLflow
/// <c>input_data</c> (split orientation, numbers and booleans as JSON literals), several calls are in flight, and
/// chunks come back in input order.
/// </summary>
/// <remarks>
/// <para>
/// Concurrency adapts to throttling: an endpoint answers 429 once more than
/// <c>2 × max_concurrent_requests_per_instance × instance_count</c> calls are in flight (two, for a default
/// single-instance deployment), and the run halves its concurrency on each 429 and grows it back one step per
/// success. Chunk sizes adapt to <see cref="BulkScoringOptions.TargetCallDuration"/> (1 second by default), so a call
/// stays well inside the endpoint's request timeout; a 408 halves them. A chunk answered 408 or 424 is not sent
/// again (the model may still be working, or refused its input): it fails, and
/// <see cref="BulkScoringOptions.ContinueOnChunkFailure"/> decides whether the run goes on.
/// </para>
/// <para>
/// An <see cref="OnlineEndpointClient"/> writes each chunk's body straight from the rows and retries the answers to
/// its calls in the run (429, 500, 502, 503, 504; its pipeline keeps failures without an answer). Any other
/// implementation, such as a test double, gets one <see cref="IOnlineEndpointClient.ScoreAsync"/> call per chunk and
/// keeps its own retries.
/// </para>
/// </remarks>
public static class OnlineEndpointBulkExtensions
{
    /// <summary>Scores rows of cells in chunks, several calls at once, yielding the chunks in input order.</summary>
    /// <param name="client">The online endpoint client.</param>
    /// <param name="columnNames">The input columns, as the deployment's signature names them.</param>
    /// <param name="rows">
    /// The rows, one cell per column. Numbers and booleans go out as JSON numbers and booleans, other values as
    /// strings formatted with the invariant culture (<see cref="ScoringTable.FormatCell"/>).
    /// </param>
    /// <param name="options">The run's settings; <see cref="BulkScoringOptions.OnlineScoring"/> pins a deployment and sends <c>params</c>.</param>
    /// <param name="cancellationToken">Cancels the run; calls in flight are cancelled and awaited.</param>
    /// <returns>The chunks in input order, each with its first row, its output rows, or its error.</returns>
    /// <exception cref="ArgumentException">The columns, a row or the options are invalid (before any call, for the options).</exception>
    /// <exception cref="BulkScoringException">A chunk failed and <see cref="BulkScoringOptions.ContinueOnChunkFailure"/> is <see langword="false"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<ScoringRow>> ScoreBulkAsync(
        this IOnlineEndpointClient client,
        IEnumerable<string> columnNames,
        IAsyncEnumerable<IReadOnlyList<object?>> rows,
        BulkScoringOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var checkedOptions = Checked(options);
        return BulkRows.Cells(columns => Scorer(client, columns, checkedOptions), columnNames, rows, checkedOptions, cancellationToken);
    }

    /// <inheritdoc cref="ScoreBulkAsync(IOnlineEndpointClient, IEnumerable{string}, IAsyncEnumerable{IReadOnlyList{object?}}, BulkScoringOptions?, CancellationToken)"/>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<ScoringRow>> ScoreBulkAsync(
        this IOnlineEndpointClient client,
        IEnumerable<string> columnNames,
        IEnumerable<IReadOnlyList<object?>> rows,
        BulkScoringOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return client.ScoreBulkAsync(columnNames, new BulkRows.SyncSource<IReadOnlyList<object?>>(rows), options, cancellationToken);
    }

    /// <summary>
    /// Scores records in chunks and reads records back: columns are <typeparamref name="TInput"/>'s JSON property
    /// names; each output row becomes a <typeparamref name="TOutput"/> by its columns (for a deployment that returns
    /// a bare array, the column is <see cref="OnlineEndpointOptions.SingleColumnName"/>). Mapping as for the classic
    /// service (<see cref="AzureMlClientBulkExtensions"/>).
    /// </summary>
    /// <typeparam name="TInput">The input record type.</typeparam>
    /// <typeparam name="TOutput">The output record type.</typeparam>
    /// <param name="client">The online endpoint client.</param>
    /// <param name="rows">The records.</param>
    /// <param name="inputType">Source-generated metadata of <typeparamref name="TInput"/> (e.g. <c>MyContext.Default.Input</c>).</param>
    /// <param name="outputType">Source-generated metadata of <typeparamref name="TOutput"/>.</param>
    /// <param name="options">The run's settings.</param>
    /// <param name="cancellationToken">Cancels the run; calls in flight are cancelled and awaited.</param>
    /// <returns>The chunks in input order, each with its records or its error.</returns>
    /// <exception cref="ArgumentException">A type cannot be mapped, a record is null, or the options are invalid.</exception>
    /// <exception cref="InvalidOperationException">An output row cannot be read as <typeparamref name="TOutput"/>; the message names the row and column.</exception>
    /// <exception cref="BulkScoringException">A chunk failed and <see cref="BulkScoringOptions.ContinueOnChunkFailure"/> is <see langword="false"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<TOutput>> ScoreBulkAsync<TInput, TOutput>(
        this IOnlineEndpointClient client,
        IAsyncEnumerable<TInput> rows,
        JsonTypeInfo<TInput> inputType,
        JsonTypeInfo<TOutput> outputType,
        BulkScoringOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var checkedOptions = Checked(options);
        return BulkRows.Records(columns => Scorer(client, columns, checkedOptions), rows, inputType, outputType, checkedOptions, cancellationToken);
    }

    /// <inheritdoc cref="ScoreBulkAsync{TInput, TOutput}(IOnlineEndpointClient, IAsyncEnumerable{TInput}, JsonTypeInfo{TInput}, JsonTypeInfo{TOutput}, BulkScoringOptions?, CancellationToken)"/>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<TOutput>> ScoreBulkAsync<TInput, TOutput>(
        this IOnlineEndpointClient client,
        IEnumerable<TInput> rows,
        JsonTypeInfo<TInput> inputType,
        JsonTypeInfo<TOutput> outputType,
        BulkScoringOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return client.ScoreBulkAsync(new BulkRows.SyncSource<TInput>(rows), inputType, outputType, options, cancellationToken);
    }

    /// <summary>
    /// Scores a few records in one call and reads records back, mapped as in
    /// <see cref="ScoreBulkAsync{TInput, TOutput}(IOnlineEndpointClient, IEnumerable{TInput}, JsonTypeInfo{TInput}, JsonTypeInfo{TOutput}, BulkScoringOptions?, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="TInput">The input record type.</typeparam>
    /// <typeparam name="TOutput">The output record type.</typeparam>
    /// <param name="client">The online endpoint client.</param>
    /// <param name="rows">The records (at least one).</param>
    /// <param name="inputType">Source-generated metadata of <typeparamref name="TInput"/>.</param>
    /// <param name="outputType">Source-generated metadata of <typeparamref name="TOutput"/>.</param>
    /// <param name="options">The deployment to pin and the inference parameters, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One record per output row.</returns>
    /// <exception cref="ArgumentException">A type cannot be mapped, a record is null, or there are no records.</exception>
    /// <exception cref="InvalidOperationException">An output row cannot be read as <typeparamref name="TOutput"/>.</exception>
    /// <exception cref="AzureMlException">The call failed.</exception>
    public static async Task<IReadOnlyList<TOutput>> ScoreAsync<TInput, TOutput>(
        this IOnlineEndpointClient client,
        IEnumerable<TInput> rows,
        JsonTypeInfo<TInput> inputType,
        JsonTypeInfo<TOutput> outputType,
        OnlineScoringOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var (table, output) = BulkRows.OneCall(rows, inputType, outputType, typed: true);
        var result = await client.ScoreAsync(table, options, cancellationToken).ConfigureAwait(false);
        return output.Read(result, 0);
    }

    private static BulkScoringOptions Checked(BulkScoringOptions? options)
    {
        options ??= new BulkScoringOptions();
        options.ThrowIfInvalid(nameof(options), online: true);
        OnlineEndpointClient.ValidateCall(options.OnlineScoring, nameof(options));
        return options;
    }

    /// <summary>The client of this package scores chunks by its own path (bodies written from the rows); any other implementation through <c>ScoreAsync</c>.</summary>
    private static IChunkScorer Scorer(IOnlineEndpointClient client, string[] columns, BulkScoringOptions options) =>
        client is IBulkScoringSource source ? source.CreateChunkScorer(columns, options) : new OnlineInterfaceChunkScorer(client, columns, options);
}
