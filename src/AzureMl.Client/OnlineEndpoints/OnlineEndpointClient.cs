using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AzureMl.Client.Internal;
using AzureMl.Client.Resilience;
using AzureMl.Client.Transport;
using Microsoft.Extensions.Logging;

namespace AzureMl.Client.OnlineEndpoints;

/// <summary>
/// The client for one Azure ML managed online endpoint. Thread-safe; create one per endpoint and reuse it, or
/// register it with <c>services.AddAzureMlOnlineEndpoint(…)</c>.
/// </summary>
[DebuggerDisplay("OnlineEndpointClient {ScoringUri}")]
public sealed class OnlineEndpointClient : IOnlineEndpointClient, IBulkScoringSource
{
    internal const string DeploymentHeader = "azureml-model-deployment";
    internal const string ClientRequestIdHeader = "x-ms-client-request-id";

    private static readonly MediaTypeWithQualityHeaderValue JsonAccept = new("application/json");
    private readonly AzureMlTransport _transport;
    private volatile Settings _settings;

    // The column names of the last answer: answers of one deployment share them instead of each making its own.
    private volatile AnswerColumns? _lastColumns;

    /// <summary>Creates a client that sends through <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">
    /// The HTTP client. Its handlers (resilience, gateway keys, an <see cref="OnlineEndpointCredentialHandler"/>)
    /// apply to every call.
    /// </param>
    /// <param name="options">The endpoint settings; copied and validated here.</param>
    /// <param name="timeProvider">The clock for telemetry. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message names each setting to fix.</exception>
    public OnlineEndpointClient(HttpClient httpClient, OnlineEndpointOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(nameof(options));
        _settings = new Settings(options.Clone());
        var time = timeProvider ?? TimeProvider.System;
        TimeProvider = time;
        _transport = new AzureMlTransport(httpClient, () => _settings.Target, time, (response, operation, _, ct) => OnlineErrorReader.ReadAsync(response, operation, time, ct));
    }

    /// <inheritdoc />
    public Uri ScoringUri => _settings.Options.ScoringUri!;

    /// <summary>The clock for telemetry and bulk runs' waits.</summary>
    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger
    {
        get => _transport.Logger;
        init => _transport.Logger = value;
    }

    internal Func<AzureMlResilienceOptions?>? ResilienceOptions
    {
        get => _transport.ResilienceOptions;
        init => _transport.ResilienceOptions = value;
    }

    /// <inheritdoc />
    public async Task<ScoringOutput> ScoreAsync(ScoringTable input, OnlineScoringOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.RawRows.Count == 0)
        {
            throw new ArgumentException("The table has no rows: add at least one row with AddRow.", nameof(input));
        }

        ValidateCall(options, nameof(options));
        var settings = _settings;
        using var request = CreateRequest(settings, options);
        request.Content = MlflowPayload.Write(input, options?.Parameters is { Count: > 0 } p ? p : null);
        return await ScoreTableAsync(settings, request, input.RawRows.Count, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    IChunkScorer IBulkScoringSource.CreateChunkScorer(string[] columns, BulkScoringOptions options) => new OnlineChunkScorer(this, columns, options);

    /// <summary>Sends one bulk chunk's MLflow body, written by the bulk run; the run, not the pipeline, retries its answers.</summary>
    internal async Task<ScoringOutput> ScoreChunkAsync(HttpContent body, int rows, OnlineScoringOptions? options, CancellationToken cancellationToken)
    {
        var settings = _settings;
        using var request = CreateRequest(settings, options);
        request.Content = body;
        request.Options.Set(AzureMlResiliencePipeline.AnswersRetriedByCaller, true);
        return await ScoreTableAsync(settings, request, rows, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ScoringOutput> ScoreTableAsync(Settings settings, HttpRequestMessage request, int rows, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(request, AzureMlOperation.Score, null, cancellationToken).ConfigureAwait(false);

        // The transport read the body into a pooled buffer: parsed from there, not copied.
        using var body = await PooledBody.ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            var output = MlflowPayload.Read(body.Memory, settings.Options.SingleColumnName, _lastColumns, out var columns);
            _lastColumns = columns;
            Telemetry.AzureMlTelemetry.RowsScored(rows, settings.Target);
            return output;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw ErrorResponseReader.MalformedSuccess(response, AzureMlOperation.Score, ex is JsonException ? "the body is not valid JSON" : ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public async Task<JsonElement> ScoreJsonAsync(ReadOnlyMemory<byte> body, OnlineScoringOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (body.IsEmpty)
        {
            throw new ArgumentException("The request body is empty: pass the JSON the deployment's scoring script expects.", nameof(body));
        }

        ValidateCall(options, nameof(options));
        using var request = CreateRequest(_settings, options);
        request.Content = MlflowPayload.Json(body);
        using var response = await _transport.SendAsync(request, AzureMlOperation.Score, null, cancellationToken).ConfigureAwait(false);
        using var answer = await PooledBody.ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(answer.Memory);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.String && root.GetString() is { } inner && inner.TrimStart() is ['[' or '{', ..])
            {
                using var unwrapped = JsonDocument.Parse(Encoding.UTF8.GetBytes(inner));
                return unwrapped.RootElement.Clone();
            }

            return root.Clone();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            throw ErrorResponseReader.MalformedSuccess(response, AzureMlOperation.Score, "the body is not valid JSON", ex);
        }
    }

    /// <summary>Binds the client to new settings (a configuration reload); calls that start after this use them.</summary>
    internal void Rebind(OnlineEndpointOptions options)
    {
        options.ThrowIfInvalid(nameof(options));
        _settings = new Settings(options.Clone());
    }

    internal static void ValidateCall(OnlineScoringOptions? options, string paramName)
    {
        if (options is null)
        {
            return;
        }

        if (options.Deployment is not null && !OnlineEndpointOptions.IsDeploymentName(options.Deployment))
        {
            throw new ArgumentException("OnlineScoringOptions.Deployment is not a deployment name the endpoint accepts: 3 to 32 letters, digits and hyphens, starting with a letter.", paramName);
        }

        foreach (var name in options.Parameters.Keys)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("An inference parameter name is empty: give each parameter the name the model expects.", paramName);
            }
        }
    }

    private static HttpRequestMessage CreateRequest(Settings settings, OnlineScoringOptions? options)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, settings.Options.ScoringUri);
        request.Headers.Accept.Add(JsonAccept);
        if (settings.Authorization is not null)
        {
            request.Headers.Authorization = settings.Authorization;
        }

        var pinned = options?.Deployment ?? settings.Options.Deployment;
        if (pinned is not null)
        {
            request.Headers.TryAddWithoutValidation(DeploymentHeader, pinned);
        }

        request.Options.Set(Telemetry.AzureMlTelemetry.ExtraTags, pinned is null
            ? [new(Telemetry.AzureMlDiagnostics.EndpointTag, settings.Options.ScoringUri!.Host)]
            : [new(Telemetry.AzureMlDiagnostics.EndpointTag, settings.Options.ScoringUri!.Host), new(Telemetry.AzureMlDiagnostics.DeploymentTag, pinned)]);

        if (settings.Options.ClientRequestId is { } id)
        {
            request.Headers.TryAddWithoutValidation(ClientRequestIdHeader, id);
        }

        request.Options.Set(AzureMlRequestOptions.Operation, AzureMlOperation.Score);
        return request;
    }

    private sealed class Settings
    {
        public Settings(OnlineEndpointOptions options)
        {
            Options = options;
            Target = options.ScoringUri!.Host + (options.Deployment is null ? string.Empty : "/" + options.Deployment);
            if (options.PrimaryKey is { } key)
            {
                Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }

        public OnlineEndpointOptions Options { get; }

        /// <summary>What telemetry names as the target: the endpoint's host and the pinned deployment.</summary>
        public string Target { get; }

        public AuthenticationHeaderValue? Authorization { get; }
    }
}
