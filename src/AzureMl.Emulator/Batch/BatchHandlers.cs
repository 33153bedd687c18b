using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>The batch execution operations: submit, start, status and delete, behind the service gate (<see cref="ServiceGateFilter"/>).</summary>
internal sealed class BatchHandlers(JobRunner runner, BlobLocator locator)
{
    public const string JobRoute = "jobId";

    public async Task SubmitAsync(HttpContext context)
    {
        var service = ServiceGateFilter.Admitted(context);
        JobRequestBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, BatchJsonContext.Default.JobRequestBody, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ServiceErrorException(ServiceError.RequestBodyInvalid($"The request body is not a valid job: {e.Message}"));
        }

        if (body is null)
        {
            throw new ServiceErrorException(ServiceError.RequestBodyInvalid("The request body is not a job."));
        }

        var model = service.Service.Model;
        if (body.Input is not null && body.Inputs is not null)
        {
            throw new ServiceErrorException(ServiceError.BadArgument("DuplicateInputInBatchCall", "Give either Input or Inputs, not both."));
        }

        var inputs = body.Inputs ?? (body.Input is null ? [] : new() { [model.InputName] = body.Input });
        foreach (var name in inputs.Keys)
        {
            if (!string.Equals(name, model.InputName, StringComparison.Ordinal))
            {
                throw new ServiceErrorException(ServiceError.BadArgument("InvalidInputNames", $"The input '{name}' is not an input of this web service; its input is '{model.InputName}'.", name));
            }
        }

        if (!inputs.TryGetValue(model.InputName, out var input) || input is null)
        {
            throw new ServiceErrorException(ServiceError.BadArgument("BatchJobInputsNotSpecified", $"The job names no blob for the input '{model.InputName}'.", model.InputName));
        }

        var outputs = new Dictionary<string, BlobReferenceBody>(StringComparer.Ordinal);
        foreach (var (name, reference) in body.Outputs ?? [])
        {
            if (!model.Outputs.Any(o => string.Equals(o.Name, name, StringComparison.Ordinal)))
            {
                var known = string.Join("', '", model.Outputs.Select(o => o.Name));
                throw new ServiceErrorException(ServiceError.BadArgument(
                    "InvalidOutputOverrideName",
                    model.Outputs.Count == 1
                        ? $"The output '{name}' is not an output of this web service; its output is '{known}'."
                        : $"The output '{name}' is not an output of this web service; its outputs are '{known}'.",
                    name));
            }

            if (reference is not null)
            {
                outputs[name] = reference;
            }
        }

        var globals = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in body.GlobalParameters ?? [])
        {
            if (!JsonCells.TryGetCell(value, out var text))
            {
                throw new ServiceErrorException(ServiceError.RequestBodyInvalid($"The global parameter '{name}' must be a string, number, boolean or null."));
            }

            globals[name] = text;
        }

        var checkedGlobals = GlobalParameterReader.Check(globals, model);
        var inputBlob = locator.Locate(input, model.InputName);
        foreach (var (name, reference) in outputs)
        {
            locator.Locate(reference, name);
        }

        await locator.CheckReadableAsync(inputBlob, model.InputName, context.RequestAborted).ConfigureAwait(false);
        var job = runner.Submit(service, input, outputs, checkedGlobals);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, job.Id, BatchJsonContext.Default.String, context.RequestAborted).ConfigureAwait(false);
    }

    public async Task StartAsync(HttpContext context)
    {
        var job = await FindAsync(context).ConfigureAwait(false);
        if (job is null)
        {
            return;
        }

        if (!runner.Start(job))
        {
            throw new ServiceErrorException(new ServiceError(
                StatusCodes.Status400BadRequest,
                "InvalidOperation",
                "CannotStartJob",
                $"The job '{job.Id}' cannot be started: it is {job.State}, and only a NotStarted job can start."));
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    public static async Task StatusAsync(HttpContext context)
    {
        var job = await FindAsync(context).ConfigureAwait(false);
        if (job is null)
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, job.Snapshot(), BatchJsonContext.Default.JobStatusBody, context.RequestAborted).ConfigureAwait(false);
    }

    public async Task DeleteAsync(HttpContext context)
    {
        var job = await FindAsync(context).ConfigureAwait(false);
        if (job is null)
        {
            return;
        }

        await runner.DeleteAsync(job).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    private static async Task<BatchJob?> FindAsync(HttpContext context)
    {
        var service = ServiceGateFilter.Admitted(context);
        var id = context.GetRouteValue(JobRoute) as string;
        if (string.IsNullOrEmpty(id) || !service.Jobs.TryGetValue(id, out var job))
        {
            await new ServiceError(StatusCodes.Status404NotFound, "NotFound", "JobNotFound", $"The job '{id}' was not found.").WriteAsync(context).ConfigureAwait(false);
            return null;
        }

        return job;
    }
}
