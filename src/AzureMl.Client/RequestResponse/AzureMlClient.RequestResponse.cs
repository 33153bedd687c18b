using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using AzureMl.Client.Internal;
using AzureMl.Client.Resilience;

namespace AzureMl.Client;

public sealed partial class AzureMlClient
{
    private const string ExecutePath = "execute";

    // The length of the last scoring answer: chunked answers of a run are alike, so the next one is read into a
    // buffer of about that size instead of one grown (and copied) step by step.
    private int _lastExecuteBodyLength;

    private delegate T BodyParser<out T>(ReadOnlySpan<byte> body);

    /// <inheritdoc />
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    public async Task<ScoringResult> ExecuteAsync(ScoringRequest request, ScoringOptions? options = null, CancellationToken cancellationToken = default)
    {
        ScoringValidation.Validate(request, nameof(request));
        var details = options?.Details ?? true;
        using var message = CreateRequest(HttpMethod.Post, AzureMlOperation.Execute, ExecutePath, details ? "details=true" : null);
        message.Content = new ScoringContent(request);
        return await ScoreAsync(message, ScoringResponseParser.ParseTable, request.Inputs.Values.Sum(t => t.Rows.Count), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Scores a request body that is already JSON in the table form (the bulk engine writes each batch's body as it
    /// reads the rows), with details, sent with its length.
    /// </summary>
    /// <inheritdoc />
    IChunkScorer IBulkScoringSource.CreateChunkScorer(string[] columns, BulkScoringOptions options) => new ClassicChunkScorer(this, columns, options);

    /// <summary>Sends one bulk chunk's body, written by the bulk run; the run, not the pipeline, retries its answers.</summary>
    internal async Task<ScoringResult> ExecuteChunkAsync(HttpContent body, int inputRows, CancellationToken cancellationToken)
    {
        using var message = CreateRequest(HttpMethod.Post, AzureMlOperation.Execute, ExecutePath, "details=true");
        message.Content = body;

        // Bulk scoring retries the answers itself (throttling feeds its limiter); the pipeline keeps connection failures.
        message.Options.Set(AzureMlResiliencePipeline.AnswersRetriedByCaller, true);
        return await ScoreAsync(message, ScoringResponseParser.ParseTable, inputRows, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    public async Task<ScoringOutput> ExecuteAsync(ScoringTable input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.RawRows.Count == 0)
        {
            throw new ArgumentException("The table has no rows: add at least one row with AddRow.", nameof(input));
        }

        var result = await ExecuteAsync(new ScoringRequest(input), options: null, cancellationToken).ConfigureAwait(false);
        return result.DefaultOutput;
    }

    /// <inheritdoc />
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    public async Task<SwaggerScoringResult> ExecuteSwaggerAsync(SwaggerScoringRequest request, CancellationToken cancellationToken = default)
    {
        ScoringValidation.Validate(request, nameof(request));
        using var message = CreateRequest(HttpMethod.Post, AzureMlOperation.Execute, ExecutePath, "format=swagger");
        message.Content = new ScoringContent(request);
        return await ScoreAsync(message, ScoringResponseParser.ParseSwagger, request.Inputs.Values.Sum(r => r.Count), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> ExecuteSwaggerAsync(IEnumerable<IReadOnlyDictionary<string, string?>> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var request = new SwaggerScoringRequest(rows);
        ScoringValidation.Validate(request, nameof(rows));

        var result = await ExecuteSwaggerAsync(request, cancellationToken).ConfigureAwait(false);
        return result.DefaultOutput;
    }

    internal int ExecuteBodyHint()
    {
        var last = Volatile.Read(ref _lastExecuteBodyLength);
        return last + (last / 8) + 1;
    }

    private async Task<T> ScoreAsync<T>(HttpRequestMessage message, BodyParser<T> parse, int inputRows, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(message, AzureMlOperation.Execute, jobId: null, cancellationToken).ConfigureAwait(false);
        PooledBody body;
        try
        {
            body = await PooledBody.ReadAsync(response.Content, cancellationToken, ExecuteBodyHint()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw ErrorResponseReader.MalformedSuccess(response, AzureMlOperation.Execute, "the connection broke while the body was read", ex);
        }

        using (body)
        {
            Volatile.Write(ref _lastExecuteBodyLength, body.Span.Length);
            try
            {
                var result = parse(body.Span);
                Telemetry.AzureMlTelemetry.RowsScored(inputRows, ServiceId);
                return result;
            }
            catch (ScoringResponseFormatException ex)
            {
                throw ErrorResponseReader.MalformedSuccess(response, AzureMlOperation.Execute, ex.Message, ex);
            }
            catch (JsonException ex)
            {
                throw ErrorResponseReader.MalformedSuccess(response, AzureMlOperation.Execute, "the body is not valid JSON: " + ex.Message, ex);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
            {
                // Text JSON cannot hold (invalid UTF-8, a lone surrogate escape) or a value out of range.
                throw ErrorResponseReader.MalformedSuccess(response, AzureMlOperation.Execute, "the body is not valid JSON text: " + ex.Message, ex);
            }
        }
    }
}
