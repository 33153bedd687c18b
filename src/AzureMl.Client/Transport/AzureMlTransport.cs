using System.Diagnostics;
using System.Globalization;
using AzureMl.Client.Internal;
using AzureMl.Client.Resilience;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AzureMl.Client.Transport;

/// <summary>Reads a failed answer (its body already in memory) into the protocol's <see cref="AzureMlException"/>.</summary>
internal delegate Task<AzureMlException> ErrorAnswerReader(HttpResponseMessage response, AzureMlOperation operation, string? jobId, CancellationToken cancellationToken);

/// <summary>
/// The one way a request reaches a service: sends it through the <see cref="HttpClient"/>'s handler chain
/// (resilience, gateway keys, the user's handlers), reads the answer's body within the call's budget, maps a failed
/// answer or a transport failure to <see cref="AzureMlException"/>, and records the span, metrics and log line.
/// It knows no protocol: the client that owns it builds requests and passes how its service words errors.
/// </summary>
internal sealed class AzureMlTransport
{
    private readonly HttpClient _httpClient;
    private readonly Func<string> _target;
    private readonly ErrorAnswerReader _readError;

    /// <param name="httpClient">Sends the requests; its handlers apply to every attempt.</param>
    /// <param name="target">The service id (or endpoint) that telemetry names, read per call.</param>
    /// <param name="timeProvider">The clock for telemetry durations.</param>
    /// <param name="readError">Maps a failed answer of this protocol.</param>
    public AzureMlTransport(HttpClient httpClient, Func<string> target, TimeProvider timeProvider, ErrorAnswerReader readError)
    {
        _httpClient = httpClient;
        _target = target;
        TimeProvider = timeProvider;
        _readError = readError;
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>Where per-operation log lines go (category <c>AzureMl.Client</c>).</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>The resilience settings of the pipeline the HttpClient carries, when DI built it (to name budgets).</summary>
    public Func<AzureMlResilienceOptions?>? ResilienceOptions { get; set; }

    /// <summary>The size to start reading an unframed (chunked) body of an operation with, when known.</summary>
    public Func<AzureMlOperation, int>? SizeHint { get; set; }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the successful answer (headers read, body not yet).
    /// Failed answers become <see cref="AzureMlException"/>; transport failures too, marked with
    /// <see cref="AzureMlException.IsOutcomeUnknown"/> for operations that must not be repeated.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, AzureMlOperation operation, string? jobId, CancellationToken cancellationToken)
    {
        // Read per call: a client rebound by a configuration reload names its new target.
        var target = _target();
        var state = new OperationState(target);
        var operationName = AzureMlTelemetry.OperationName(operation);
        request.Options.Set(AzureMlTelemetry.State, state);
        var started = TimeProvider.GetTimestamp();
        request.Options.TryGetValue(AzureMlTelemetry.ExtraTags, out var extraTags);
        using var activity = AzureMlTelemetry.StartOperation(operation, target, jobId, extraTags);
        try
        {
            var response = await SendCoreAsync(request, operation, jobId, state, cancellationToken).ConfigureAwait(false);
            var elapsed = TimeProvider.GetElapsedTime(started);
            AzureMlTelemetry.OperationEnded(activity, operation, target, (int)response.StatusCode, null, null, state.Retries, elapsed, false, extraTags);
            AzureMlLog.OperationSucceeded(Logger, operationName, target, (int)response.StatusCode, state.Retries + 1, elapsed.TotalMilliseconds);
            return response;
        }
        catch (AzureMlException ex)
        {
            var elapsed = TimeProvider.GetElapsedTime(started);
            var errorType = ex.Status >= 400 ? ex.Status.ToString(CultureInfo.InvariantCulture) : ex.ErrorCode ?? "ConnectionFailure";
            AzureMlTelemetry.OperationEnded(activity, operation, target, ex.Status, errorType, ex.ErrorCode, state.Retries, elapsed, ex.IsOutcomeUnknown, extraTags);
            AzureMlLog.OperationFailed(Logger, operationName, target, ex.Status, ex.ErrorCode ?? errorType, state.Retries + 1, elapsed.TotalMilliseconds, ex.IsOutcomeUnknown);
            throw;
        }
        catch (OperationCanceledException)
        {
            AzureMlTelemetry.OperationEnded(activity, operation, target, 0, "Canceled", null, state.Retries, TimeProvider.GetElapsedTime(started), !operation.IsIdempotent(), extraTags);
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
            throw await _readError(response, operation, jobId, cancellationToken).ConfigureAwait(false);
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

        var sizeHint = SizeHint?.Invoke(operation) ?? 0;
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
            throw new CallDeadlineException(limit, ex);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    internal AzureMlException TransportFailure(AzureMlOperation operation, string? jobId, Exception ex, OperationState? state = null)
    {
        var subject = AzureMlException.Subject(operation, jobId);
        // Under a timeout the transport's own words are only the cancellation; the cause is what failed before it.
        var timeout = ex is OperationCanceledException or TimeoutException or TimeoutRejectedException || ex.InnerException is TimeoutException;
        var cause = (timeout ? null : UnderlyingFailure(ex)) ?? state?.LastFailure;
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
        if (ex is CallDeadlineException deadline)
        {
            return $"the HttpClient.Timeout of {Seconds(deadline.Limit)}";
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
}

/// <summary>The <see cref="HttpClient.Timeout"/> of a client without the default pipeline ran out while a body was read.</summary>
internal sealed class CallDeadlineException(TimeSpan limit, OperationCanceledException inner)
    : TimeoutException(inner.Message, inner)
{
    public TimeSpan Limit { get; } = limit;
}
