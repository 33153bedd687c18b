using System.Net;
using System.Net.Sockets;
using AzureMl.Client.Internal;
using AzureMl.Client.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace AzureMl.Client.Resilience;

/// <summary>Builds the client's pipeline: total timeout → retry → circuit breaker → attempt timeout.</summary>
internal static class AzureMlResiliencePipeline
{
    public const string PipelineName = "AzureMl";

    /// <summary>
    /// Set on a request whose caller retries the service's answers itself (bulk scoring, which must feed every throttled
    /// answer to its concurrency limiter and keeps its own backoff): the retry strategy leaves answers alone and
    /// retries only failures without one, so no answer is retried by two layers.
    /// </summary>
    internal static readonly HttpRequestOptionsKey<bool> AnswersRetriedByCaller = new("AzureMl.AnswersRetriedByCaller");

    private static readonly ResiliencePropertyKey<long> StartedAt = new("AzureMl.StartedAt");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, AzureMlResilienceOptions options, TimeProvider timeProvider, ILogger? logger)
    {
        logger ??= NullLogger.Instance;
        builder.TimeProvider = timeProvider;
        if (options.Removed)
        {
            return;
        }

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "AzureMl.TotalTimeout",

            // Called once as the operation starts: the retry predicate measures the remaining budget from here.
            TimeoutGenerator = args =>
            {
                args.Context.Properties.Set(StartedAt, timeProvider.GetTimestamp());
                return ValueTask.FromResult(options.TotalTimeout);
            },
        });

        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "AzureMl.Retry",
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, options, timeProvider, logger)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfter(r, timeProvider) : null),
                OnRetry = args =>
                {
                    var request = args.Context.GetRequestMessage();
                    OperationState? state = null;
                    if (request is not null && request.Options.TryGetValue(AzureMlTelemetry.State, out state))
                    {
                        state.AddRetry();
                        if (args.Outcome.Exception is not TimeoutRejectedException)
                        {
                            state.LastFailure = DescribeFailure(args.Outcome);
                        }
                    }

                    var operation = OperationName(request);
                    var outcome = Describe(args.Outcome);
                    AzureMlTelemetry.RetryAttempted(operation, outcome, state?.ServiceId);
                    AzureMlLog.RetryScheduled(logger, operation, args.AttemptNumber + 1, outcome, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        if (options.EnableCircuitBreaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                Name = "AzureMl.CircuitBreaker",
                FailureRatio = options.CircuitBreakerFailureRatio,
                MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                SamplingDuration = options.CircuitBreakerSamplingDuration,
                BreakDuration = options.CircuitBreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(OpensCircuit(args.Outcome)),
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "AzureMl.AttemptTimeout", Timeout = options.AttemptTimeout });
    }

    /// <summary>
    /// The severity of Polly's own events in this pipeline: a retry, which the client already logs, is Debug; the rest
    /// keep the app's choice (<paramref name="appDefault"/>) or Polly's.
    /// </summary>
    internal static ResilienceEventSeverity Severity(SeverityProviderArguments args, Func<SeverityProviderArguments, ResilienceEventSeverity>? appDefault)
    {
        var severity = appDefault?.Invoke(args) ?? args.Event.Severity;
        return args.Event.EventName is "OnRetry" or "ExecutionAttempt" && severity > ResilienceEventSeverity.Debug
            ? ResilienceEventSeverity.Debug
            : severity;
    }

    /// <summary>
    /// <see langword="true"/> when <paramref name="exception"/> proves the request never left the client: the
    /// connection was refused or the host not found, or the circuit breaker held it back.
    /// </summary>
    public static bool IsNotSent(Exception exception)
    {
        if (exception is BrokenCircuitException)
        {
            return true;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError })
            {
                return true;
            }

            if (e is SocketException s && s.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound
                    or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData)
            {
                return true;
            }
        }

        return false;
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, AzureMlResilienceOptions options, TimeProvider timeProvider, ILogger logger)
    {
        var request = context.GetRequestMessage();
        var idempotent = IsIdempotent(request);
        if (outcome.Exception is { } exception)
        {
            if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            {
                return false;
            }

            // Submit and start: only a failure that proves nothing was sent may be repeated.
            return IsNotSent(exception) || (idempotent && IsTransient(outcome));
        }

        if (!idempotent || !IsTransient(outcome) || (request is not null && request.Options.TryGetValue(AnswersRetriedByCaller, out var byCaller) && byCaller))
        {
            return false;
        }

        // An online endpoint's 408 means the model ran past request_timeout_ms and may still be working: sending the
        // same work again piles it up. Retried only when the settings say so.
        if (outcome.Result!.StatusCode == HttpStatusCode.RequestTimeout && request is not null
            && AzureMlRequestOptions.TryGetOperation(request, out var op) && op == AzureMlOperation.Score && !options.RetryOnlineTimeouts)
        {
            return false;
        }

        var response = outcome.Result!;
        if (RetryAfter(response, timeProvider) is { } wait && context.Properties.TryGetValue(StartedAt, out var started))
        {
            var remaining = options.TotalTimeout - timeProvider.GetElapsedTime(started);
            if (wait > remaining)
            {
                AzureMlLog.RetryAfterBeyondBudget(logger, OperationName(request), (int)response.StatusCode, wait.TotalSeconds, Math.Max(0, remaining.TotalSeconds));
                return false;
            }
        }

        return true;
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or TimeoutRejectedException or IOException;
        }

        return outcome.Result is { } response && (int)response.StatusCode is 408 or 429 or 500 or 502 or 503 or 504;
    }

    /// <summary>
    /// A failure the circuit breaker counts: a transient one, except 429. A throttled call was answered by a working
    /// service that wants fewer calls; the retry strategy and a bulk run's concurrency limiter slow down for it, and
    /// breaking the circuit would instead fail every call while the service is healthy.
    /// </summary>
    internal static bool OpensCircuit(Outcome<HttpResponseMessage> outcome) =>
        IsTransient(outcome) && outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests;

    /// <summary>The wait a 429 or 503 asked for (<c>Retry-After</c> in seconds or as a date), else <see langword="null"/>.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
            ? ErrorResponseReader.GetRetryAfter(response, timeProvider)
            : null;
    }

    private static bool IsIdempotent(HttpRequestMessage? request)
    {
        if (request is null)
        {
            return false;
        }

        if (AzureMlRequestOptions.TryGetOperation(request, out var operation))
        {
            return operation.IsIdempotent();
        }

        return request.Method == HttpMethod.Get || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Head
            || request.Method == HttpMethod.Put || request.Method == HttpMethod.Options;
    }

    private static string OperationName(HttpRequestMessage? request) =>
        request is not null && AzureMlRequestOptions.TryGetOperation(request, out var operation)
            ? AzureMlTelemetry.OperationName(operation)
            : request?.Method.Method ?? "unknown";

    /// <summary>A failed attempt in words for messages: the transport's own message, or the status it answered.</summary>
    private static string DescribeFailure(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            return TransportMessage(exception) ?? SecretRedactor.Redact(exception.Message.TrimEnd('.') + ".");
        }

        return $"the server answered {(int)outcome.Result!.StatusCode}.";
    }

    /// <summary>
    /// The transport's own words under <paramref name="exception"/>: the first <see cref="HttpRequestException"/>
    /// ("Connection refused (127.0.0.1:19099)", "Name or service not known (host:443)"), else a socket or I/O error.
    /// </summary>
    internal static string? TransportMessage(Exception exception)
    {
        string? fallback = null;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException and not AnswerBodyException)
            {
                return SecretRedactor.Redact(e.Message.TrimEnd('.') + ".");
            }

            if (fallback is null && e is SocketException or IOException)
            {
                fallback = SecretRedactor.Redact(e.Message.TrimEnd('.') + ".");
            }
        }

        return fallback;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception switch
        {
            TimeoutRejectedException => "timeout",
            HttpRequestException or IOException => "connection_failure",
            { } e => e.GetType().Name,
            null => ((int)outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
}
