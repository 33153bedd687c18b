namespace AzureMl.Emulator;

/// <summary>
/// Request-response scoring: <c>POST {service}/execute</c> in table or swagger form. Behind the service gate
/// (<see cref="ServiceGateFilter"/>): the service's concurrency limit and execution timeout around
/// reading the body (<see cref="ExecuteRequestReader"/>), scoring each row (<see cref="ModelScorer"/>) and writing the
/// answer (<see cref="ExecuteResponseWriter"/>).
/// </summary>
internal sealed class ExecuteHandler(EmulatorCounters counters, int maxConcurrentRequests, int maxRequestBytes, TimeSpan? executionTimeout, TimeProvider timeProvider)
{
    public async Task HandleAsync(HttpContext context)
    {
        var service = ServiceGateFilter.Admitted(context);
        var current = service.Enter();
        try
        {
            if (current > maxConcurrentRequests)
            {
                await new ServiceError(
                    StatusCodes.Status503ServiceUnavailable,
                    "ServiceUnavailable",
                    "TooManyConcurrentRequests",
                    $"The request was rejected: the web service is already running {maxConcurrentRequests} requests, its concurrency limit.").WriteAsync(context).ConfigureAwait(false);
                return;
            }

            counters.ObserveConcurrency(current);
            using var timeout = executionTimeout is { } limit ? new CancellationTokenSource(limit, timeProvider) : null;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout?.Token ?? CancellationToken.None);
            try
            {
                await ExecuteAsync(context, service.Service.Model, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !context.RequestAborted.IsCancellationRequested)
            {
                throw new ServiceErrorException(new ServiceError(
                    StatusCodes.Status408RequestTimeout,
                    "RequestTimeout",
                    "ScoreRequestTimeout",
                    $"Scoring took longer than {executionTimeout}: use batch execution for long work."));
            }
        }
        catch (ServiceErrorException e)
        {
            if (!context.Response.HasStarted)
            {
                await e.Error.WriteAsync(context).ConfigureAwait(false);
            }
        }
        finally
        {
            service.Exit();
        }
    }

    private async Task ExecuteAsync(HttpContext context, EmulatedModel model, CancellationToken cancellationToken)
    {
        var request = await ExecuteRequestReader.ReadAsync(context, model, maxRequestBytes, cancellationToken).ConfigureAwait(false);
        var outputs = new List<IReadOnlyList<IReadOnlyList<string?>>>(request.Rows.Count);
        for (var i = 0; i < request.Rows.Count; i++)
        {
            var row = new EmulatedRow(model.InputColumns, request.Rows[i], i, request.GlobalParameters);
            try
            {
                outputs.Add(await ModelScorer.ScoreAsync(model, row, cancellationToken).ConfigureAwait(false));
            }
            catch (ModelScoringException e)
            {
                throw new ServiceErrorException(ErrorOf(e));
            }
        }

        await ExecuteResponseWriter.WriteAsync(context, model, outputs, request.Swagger, request.Details).ConfigureAwait(false);
    }

    /// <summary>The service's answer to a row it could not score: the model's failure is the caller's (400), a mismatched answer the service's (500).</summary>
    private static ServiceError ErrorOf(ModelScoringException e) => e.Failure == ModelScoringFailure.ModelFailed
        ? new ServiceError(StatusCodes.Status400BadRequest, "ModuleExecutionError", "ModuleExecutionError", e.Message)
        : new ServiceError(StatusCodes.Status500InternalServerError, "InternalError", "ModelOutputMismatch", e.Message);
}
