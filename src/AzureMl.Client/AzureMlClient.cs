using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Globalization;
using AzureMl.Client.Internal;
using AzureMl.Client.Resilience;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AzureMl.Client;

/// <summary>
/// The client for one Azure ML Studio (classic) web service. Thread-safe; create one per service and reuse it,
/// or register it with <c>services.AddAzureMlClient(…)</c>.
/// </summary>
[DebuggerDisplay("AzureMlClient {ServiceUri}")]
public sealed partial class AzureMlClient : IAzureMlClient
{
    private static readonly MediaTypeWithQualityHeaderValue JsonAccept = new("application/json");

    private readonly HttpClient _httpClient;
    private volatile Binding _binding;

    /// <summary>Creates a client that sends through <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">
    /// The HTTP client. Its handlers (resilience, gateway keys) apply to every call; its <see cref="HttpClient.BaseAddress"/> is not used.
    /// </param>
    /// <param name="options">The service settings; copied and validated here.</param>
    /// <param name="timeProvider">The clock for polling and waits. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message names each setting to fix.</exception>
    public AzureMlClient(HttpClient httpClient, AzureMlClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _httpClient = httpClient;
        _binding = new Binding(options.Clone());
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public Uri ServiceUri => _binding.ServiceUri;

    /// <summary>The service id this client is bound to.</summary>
    public string ServiceId => _binding.Options.ServiceId!;

    /// <summary>The clock the client uses for polling and waits.</summary>
    internal TimeProvider TimeProvider { get; }

    internal AzureMlClientOptions Options => _binding.Options;

    /// <summary>
    /// Binds the client to new settings (a configuration reload of a DI-registered client): calls that start after
    /// this use them; calls in flight finish with the old ones. Invalid settings are refused and the old ones kept.
    /// </summary>
    internal void Rebind(AzureMlClientOptions options)
    {
        options.ThrowIfInvalid();
        _binding = new Binding(options.Clone());
    }

    /// <summary>Where the client writes its per-operation log lines (category <c>AzureMl.Client</c>).</summary>
    internal ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>The resilience settings of the pipeline this client sends through, when it was built by DI (for messages).</summary>
    internal Func<AzureMlResilienceOptions?>? ResilienceOptions { get; init; }

    /// <summary>Builds a request for <c>{service}/{relativePath}?api-version=…[&amp;extraQuery]</c> with auth and operation stamped.</summary>
    internal HttpRequestMessage CreateRequest(HttpMethod method, AzureMlOperation operation, string relativePath, string? extraQuery = null)
    {
        var binding = _binding;
        var url = relativePath.Length == 0 ? binding.ServiceUriText : binding.ServiceUriText + "/" + relativePath;
        url += "?" + binding.ApiVersionQuery;
        if (!string.IsNullOrEmpty(extraQuery))
        {
            url += "&" + extraQuery;
        }

        var request = new HttpRequestMessage(method, new Uri(url, UriKind.Absolute));
        request.Headers.Accept.Add(JsonAccept);
        if (binding.Authorization is not null)
        {
            request.Headers.Authorization = binding.Authorization;
        }

        // A request without content is re-sent by the socket handler, below every retry layer and uncounted, when its
        // pooled connection closes before an answer. A request with content (even empty) never is: so every request
        // has one, and only the client's own pipeline decides what is sent again.
        request.Content = new ByteArrayContent([]);
        request.Options.Set(AzureMlRequestOptions.Operation, operation);
        return request;
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the successful answer (headers read, body not yet).
    /// Failed answers become <see cref="AzureMlException"/>; transport failures too, marked with
    /// <see cref="AzureMlException.IsOutcomeUnknown"/> for operations that must not be repeated.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, AzureMlOperation operation, string? jobId, CancellationToken cancellationToken)
    {
        var state = new OperationState(ServiceId);
        var operationName = AzureMlTelemetry.OperationName(operation);
        request.Options.Set(AzureMlTelemetry.State, state);
        var started = TimeProvider.GetTimestamp();
        using var activity = AzureMlTelemetry.StartOperation(operation, ServiceId, jobId);
        try
        {
            var response = await SendCoreAsync(request, operation, jobId, state, cancellationToken).ConfigureAwait(false);
            var elapsed = TimeProvider.GetElapsedTime(started);
            AzureMlTelemetry.OperationEnded(activity, operation, ServiceId, (int)response.StatusCode, null, null, state.Retries, elapsed, false);
            AzureMlLog.OperationSucceeded(Logger, operationName, ServiceId, (int)response.StatusCode, state.Retries + 1, elapsed.TotalMilliseconds);
            return response;
        }
        catch (AzureMlException ex)
        {
            var elapsed = TimeProvider.GetElapsedTime(started);
            var errorType = ex.Status >= 400 ? ex.Status.ToString(CultureInfo.InvariantCulture) : ex.ErrorCode ?? "ConnectionFailure";
            AzureMlTelemetry.OperationEnded(activity, operation, ServiceId, ex.Status, errorType, ex.ErrorCode, state.Retries, elapsed, ex.IsOutcomeUnknown);
            AzureMlLog.OperationFailed(Logger, operationName, ServiceId, ex.Status, ex.ErrorCode ?? errorType, state.Retries + 1, elapsed.TotalMilliseconds, ex.IsOutcomeUnknown);
            throw;
        }
        catch (OperationCanceledException)
        {
            AzureMlTelemetry.OperationEnded(activity, operation, ServiceId, 0, "Canceled", null, state.Retries, TimeProvider.GetElapsedTime(started), !operation.IsIdempotent());
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, AzureMlOperation operation, string? jobId, OperationState state, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!AnswerBody.IsBuffered(response))
            {
                await BufferUnderDeadlineAsync(response, operation, started, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AzureMlException)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TimeoutException or IOException or ExecutionRejectedException)
        {
            throw TransportFailure(operation, jobId, ex, state);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ErrorResponseReader.ReadAsync(response, operation, TimeProvider, jobId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the body the client will use when no handler already did (an <see cref="HttpClient"/> without the
    /// default pipeline): within <see cref="HttpClient.Timeout"/>, counted on the same clock as the client's own
    /// timeout, from the send, so a stalled body ends the call like a stalled answer would.
    /// </summary>
    private async Task BufferUnderDeadlineAsync(HttpResponseMessage response, AzureMlOperation operation, long startedTicks, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode && !AnswerBody.ReadsSuccessBody(operation))
        {
            return;
        }

        var sizeHint = operation == AzureMlOperation.Execute ? ExecuteBodyHint() : 0;
        var limit = _httpClient.Timeout;
        if (limit == Timeout.InfiniteTimeSpan)
        {
            await AnswerBody.BufferAsync(response, operation, sizeHint, cancellationToken).ConfigureAwait(false);
            return;
        }

        var remaining = limit - Stopwatch.GetElapsedTime(startedTicks);
        using var deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await AnswerBody.BufferAsync(response, operation, sizeHint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            response.Dispose();
            throw new TimeoutException($"HttpClient.Timeout ({Seconds(limit)}) ran out: {ex.Message}", ex);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Reads a JSON body with source-generated metadata, mapping any parse failure to <see cref="AzureMlException"/>.</summary>
    internal static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, AzureMlOperation operation, string? jobId, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var value = await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false);
                return value ?? throw ErrorResponseReader.MalformedSuccess(response, operation, "the body was empty or null", null, jobId);
            }
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
            var line = ex.LineNumber is null ? string.Empty : $" (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine})";
            throw ErrorResponseReader.MalformedSuccess(response, operation, $"invalid JSON{where}{line}", ex, jobId);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw ErrorResponseReader.MalformedSuccess(response, operation, "the connection broke while the body was read", ex, jobId);
        }
    }

    internal AzureMlException TransportFailure(AzureMlOperation operation, string? jobId, Exception ex, OperationState? state = null)
    {
        var subject = AzureMlException.Subject(operation, jobId);
        var cause = UnderlyingFailure(ex) ?? state?.LastFailure;
        if (ex is BrokenCircuitException)
        {
            var text = $"{subject} was not sent: the circuit breaker is open after repeated failures of this service. Try again later.";
            if (cause is not null)
            {
                text += $" The last failure: {cause}";
            }

            return new AzureMlException(SecretRedactor.Redact(text), operation, 0, AzureMlErrorSource.Transport, "CircuitOpen", null, ex)
            {
                JobId = jobId,
            };
        }

        var timedOut = ex is OperationCanceledException or TimeoutException or TimeoutRejectedException || ex.InnerException is TimeoutException;
        var reading = ReadingPhase(ex);
        if (ex is AnswerBodyException body && !operation.IsIdempotent())
        {
            // The status arrived: the service acted on the request, and only its answer was lost.
            var text = $"{subject} failed: the server answered {(int)body.StatusCode!} but the connection broke {reading}."
                + (operation == AzureMlOperation.SubmitJob
                    ? " The job was probably created, but its id was lost: it was not sent again, to avoid a duplicate job."
                    : " The request reached the service: it was not sent again.");
            return new AzureMlException(SecretRedactor.Redact(text), operation, (int)body.StatusCode!, AzureMlErrorSource.Unknown, "InvalidResponseBody", null, ex)
            {
                IsOutcomeUnknown = true,
                JobId = jobId,
            };
        }

        string what;
        if (timedOut)
        {
            what = $"timed out: {Budget(ex)} ran out {reading ?? "before an answer arrived"}.";
        }
        else
        {
            what = reading is null ? "failed before an answer arrived (connection error)." : $"failed: the connection broke {reading}.";
        }

        // Unknown unless this failure, and every attempt before it, provably never left the client.
        var unknown = !operation.IsIdempotent() && !AzureMlResiliencePipeline.IsNotSent(ex)
            && (state is null || !state.AttemptsTracked || state.MaybeSent);
        var message = $"{subject} {what}";
        if (cause is not null && !timedOut)
        {
            message += $" {cause}";
        }
        else if (cause is not null)
        {
            message += $" The last failure before it: {cause}";
        }

        if (unknown)
        {
            message += operation == AzureMlOperation.SubmitJob
                ? " The request may have reached the service, so a job may exist: it was not sent again, to avoid a duplicate job."
                : " The request may have reached the service, so the job may have started: it was not sent again.";
            if (jobId is not null)
            {
                message += $" Check job {jobId} with GetJobStatusAsync.";
            }
        }

        return new AzureMlException(SecretRedactor.Redact(message), operation, 0, AzureMlErrorSource.Transport, timedOut ? "Timeout" : "ConnectionFailure", null, ex)
        {
            IsOutcomeUnknown = unknown,
            JobId = jobId,
        };
    }

    /// <summary>Which budget ran out, by name and value, as far as the client can tell.</summary>
    private string Budget(Exception ex)
    {
        if (ex is TimeoutException { Message: var m } && m.StartsWith("HttpClient.Timeout", StringComparison.Ordinal))
        {
            return m[..m.IndexOf(')', StringComparison.Ordinal)].Replace("(", "of ", StringComparison.Ordinal) + ")";
        }

        var resilience = ResilienceOptions?.Invoke();
        if (ex is TimeoutRejectedException rejected && resilience is not null)
        {
            if (rejected.Timeout == resilience.TotalTimeout)
            {
                return $"the total time budget (AzureMlResilienceOptions.TotalTimeout, {Seconds(rejected.Timeout)})";
            }

            if (rejected.Timeout == resilience.AttemptTimeout)
            {
                return $"the attempt timeout (AzureMlResilienceOptions.AttemptTimeout, {Seconds(rejected.Timeout)})";
            }
        }

        return ex is TimeoutRejectedException r ? $"a timeout of {Seconds(r.Timeout)}" : "the time allowed";
    }

    /// <summary>"while the 200 answer's body (100 bytes) was being read", when the failure came during a body read.</summary>
    private static string? ReadingPhase(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            var at = e.Message.IndexOf("while the ", StringComparison.Ordinal);
            if (e is AnswerBodyException or OperationCanceledException or TimeoutException && at >= 0)
            {
                return e.Message[at..].TrimEnd('.');
            }
        }

        return null;
    }

    /// <summary>The deepest transport message under <paramref name="ex"/> ("Connection refused (127.0.0.1:19099)").</summary>
    private static string? UnderlyingFailure(Exception ex) => AzureMlResiliencePipeline.TransportMessage(ex);

    private static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>What one set of settings makes of every request: the service URL, the api-version query, the key header.</summary>
    private sealed class Binding
    {
        public Binding(AzureMlClientOptions options)
        {
            Options = options;
            var root = options.Endpoint!.AbsoluteUri.TrimEnd('/');
            var owner = options.PathStyle == AzureMlPathStyle.Workspace
                ? "workspaces/" + options.WorkspaceId
                : "subscriptions/" + options.SubscriptionId;
            ServiceUriText = $"{root}/{owner}/services/{options.ServiceId}";
            ServiceUri = new Uri(ServiceUriText, UriKind.Absolute);
            ApiVersionQuery = "api-version=" + Uri.EscapeDataString(options.ApiVersion);
            if (!string.IsNullOrEmpty(options.ApiKey))
            {
                Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
            }
        }

        public AzureMlClientOptions Options { get; }

        public string ServiceUriText { get; }

        public Uri ServiceUri { get; }

        public string ApiVersionQuery { get; }

        public AuthenticationHeaderValue? Authorization { get; }
    }
}
