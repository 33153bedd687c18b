using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using AzureMl.Client.Internal;

namespace AzureMl.Client;

/// <summary>
/// Bulk scoring and typed rows on any <see cref="IAzureMlClient"/>: rows are split into chunks (by row count and
/// request size), chunks run concurrently up to a bound, and results come back in input order while later chunks
/// are in flight. Built on <see cref="IAzureMlClient.ExecuteAsync(ScoringRequest, ScoringOptions?, CancellationToken)"/>,
/// so a test double of the interface gets them too.
/// </summary>
public static class AzureMlClientBulkExtensions
{
    /// <summary>
    /// Scores a stream of table rows in chunks, concurrently, and yields each chunk's output rows in input order.
    /// The input is read only as far as the in-flight window needs (four times <see cref="BulkScoringOptions.MaxConcurrency"/> chunks, so finished chunks can wait behind one being retried while new ones are sent).
    /// </summary>
    /// <param name="client">The client of the web service.</param>
    /// <param name="columnNames">The input column names.</param>
    /// <param name="rows">The rows: one cell per column, formatted like <see cref="ScoringTable.AddRow"/> (a <c>string?[]</c> is taken as it is, without formatting; the run is done with it once the next row is read, so a source may reuse one array).</param>
    /// <param name="options">The run's settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the run and cancels the calls in flight.</param>
    /// <returns>The chunks, in input order.</returns>
    /// <exception cref="ArgumentException">The columns or options are unusable, or a row has the wrong number of cells.</exception>
    /// <exception cref="BulkScoringException">A chunk failed (unless <see cref="BulkScoringOptions.ContinueOnChunkFailure"/>); it names the rows and holds the service's error.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<ScoringRow>> ScoreBulkAsync(
        this IAzureMlClient client,
        IEnumerable<string> columnNames,
        IAsyncEnumerable<IReadOnlyList<object?>> rows,
        BulkScoringOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var checkedOptions = Checked(options);
        return BulkRows.Cells(columns => Scorer(client, columns, checkedOptions), columnNames, rows, checkedOptions, cancellationToken);
    }

    /// <inheritdoc cref="ScoreBulkAsync(IAzureMlClient, IEnumerable{string}, IAsyncEnumerable{IReadOnlyList{object?}}, BulkScoringOptions?, CancellationToken)"/>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<ScoringRow>> ScoreBulkAsync(
        this IAzureMlClient client,
        IEnumerable<string> columnNames,
        IEnumerable<IReadOnlyList<object?>> rows,
        BulkScoringOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return client.ScoreBulkAsync(columnNames, new BulkRows.SyncSource<IReadOnlyList<object?>>(rows), options, cancellationToken);
    }

    /// <summary>
    /// Scores a stream of <typeparamref name="TInput"/> records in chunks, concurrently, and yields each chunk's
    /// <typeparamref name="TOutput"/> records in input order. Properties map to columns by their JSON names
    /// (rename with <c>[JsonPropertyName]</c>, skip with <c>[JsonIgnore]</c>); cells are converted with the invariant culture.
    /// </summary>
    /// <typeparam name="TInput">The input record type.</typeparam>
    /// <typeparam name="TOutput">The output record type.</typeparam>
    /// <param name="client">The client of the web service.</param>
    /// <param name="rows">The input records.</param>
    /// <param name="inputType">Source-generated metadata of <typeparamref name="TInput"/> (e.g. <c>MyJsonContext.Default.Flower</c>).</param>
    /// <param name="outputType">Source-generated metadata of <typeparamref name="TOutput"/>.</param>
    /// <param name="options">The run's settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the run and cancels the calls in flight.</param>
    /// <returns>The chunks, in input order.</returns>
    /// <exception cref="ArgumentException">A type has a property that cannot be a cell, or the options are unusable.</exception>
    /// <exception cref="BulkScoringException">A chunk failed (unless <see cref="BulkScoringOptions.ContinueOnChunkFailure"/>).</exception>
    /// <exception cref="InvalidOperationException">An output property has no matching column, or a cell cannot be converted to its type.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<TOutput>> ScoreBulkAsync<TInput, TOutput>(
        this IAzureMlClient client,
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

    /// <inheritdoc cref="ScoreBulkAsync{TInput, TOutput}(IAzureMlClient, IAsyncEnumerable{TInput}, JsonTypeInfo{TInput}, JsonTypeInfo{TOutput}, BulkScoringOptions?, CancellationToken)"/>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in the row source; each reads naturally with defaults.")]
    public static IAsyncEnumerable<BulkScoringChunk<TOutput>> ScoreBulkAsync<TInput, TOutput>(
        this IAzureMlClient client,
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
    /// Scores <typeparamref name="TInput"/> records in one call and returns the <typeparamref name="TOutput"/> records
    /// of the default output. Mapping as in <see cref="ScoreBulkAsync{TInput, TOutput}(IAzureMlClient, IEnumerable{TInput}, JsonTypeInfo{TInput}, JsonTypeInfo{TOutput}, BulkScoringOptions?, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="TInput">The input record type.</typeparam>
    /// <typeparam name="TOutput">The output record type.</typeparam>
    /// <param name="client">The client of the web service.</param>
    /// <param name="rows">The input records; at least one.</param>
    /// <param name="inputType">Source-generated metadata of <typeparamref name="TInput"/>.</param>
    /// <param name="outputType">Source-generated metadata of <typeparamref name="TOutput"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The output records, in input order.</returns>
    /// <exception cref="ArgumentException">There are no rows, or a type has a property that cannot be a cell.</exception>
    /// <exception cref="AzureMlException">The service or gateway refused the call.</exception>
    /// <exception cref="InvalidOperationException">An output property has no matching column, or a cell cannot be converted to its type.</exception>
    public static async Task<IReadOnlyList<TOutput>> ScoreAsync<TInput, TOutput>(
        this IAzureMlClient client,
        IEnumerable<TInput> rows,
        JsonTypeInfo<TInput> inputType,
        JsonTypeInfo<TOutput> outputType,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var (table, output) = BulkRows.OneCall(rows, inputType, outputType, typed: false);
        var result = await client.ExecuteAsync(new ScoringRequest(table), new ScoringOptions { Details = true }, cancellationToken).ConfigureAwait(false);
        return output.Read(result.DefaultOutput, 0);
    }

    private static BulkScoringOptions Checked(BulkScoringOptions? options)
    {
        options ??= new BulkScoringOptions();
        options.ThrowIfInvalid(nameof(options));
        return options;
    }

    /// <summary>The clients of this package score chunks by their own path (bodies written from the rows); any other implementation through <c>ExecuteAsync</c>.</summary>
    private static IChunkScorer Scorer(IAzureMlClient client, string[] columns, BulkScoringOptions options)
    {
        ScoringValidation.CheckParameters(options.GlobalParameters, nameof(options));
        return client is IBulkScoringSource source ? source.CreateChunkScorer(columns, options) : new InterfaceChunkScorer(client, columns, options);
    }
}
