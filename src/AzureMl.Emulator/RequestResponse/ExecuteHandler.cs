using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>Request-response scoring: <c>POST {service}/execute</c> in table or swagger form.</summary>
internal sealed class ExecuteHandler(ServiceGate gate, EmulatorCounters counters, int maxConcurrentRequests, TimeSpan? executionTimeout, TimeProvider timeProvider)
{
    public async Task HandleAsync(HttpContext context)
    {
        var (service, error) = gate.Check(context);
        if (service is null)
        {
            await error!.WriteAsync(context).ConfigureAwait(false);
            return;
        }

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

    private static async Task ExecuteAsync(HttpContext context, EmulatedModel model, CancellationToken cancellationToken)
    {
        var swagger = string.Equals(context.Request.Query["format"], "swagger", StringComparison.OrdinalIgnoreCase);
        var details = string.Equals(context.Request.Query["details"], "true", StringComparison.OrdinalIgnoreCase);
        using var document = await ParseAsync(context, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ServiceErrorException(ServiceError.RequestBodyInvalid("The request body must be a JSON object."));
        }

        var globals = GlobalParameterReader.Read(JsonCells.TryGetProperty(root, "GlobalParameters", out var g) ? g : null, model);
        if (!JsonCells.TryGetProperty(root, "Inputs", out var inputs) || inputs.ValueKind == JsonValueKind.Null)
        {
            throw new ServiceErrorException(ServiceError.BadArgument("MissingRequestInput", "The request has no Inputs."));
        }

        if (inputs.ValueKind != JsonValueKind.Object)
        {
            throw new ServiceErrorException(ServiceError.RequestBodyInvalid("Inputs must be a JSON object that maps input names to tables."));
        }

        JsonElement? input = null;
        foreach (var property in inputs.EnumerateObject())
        {
            if (!string.Equals(property.Name, model.InputName, StringComparison.Ordinal))
            {
                throw new ServiceErrorException(ServiceError.BadArgument("InvalidInputNames", $"The input '{property.Name}' is not an input of this web service; its input is '{model.InputName}'.", property.Name));
            }

            input = property.Value;
        }

        if (input is null)
        {
            throw new ServiceErrorException(ServiceError.BadArgument("MissingRequestInput", $"The request has no value for the input '{model.InputName}'.", model.InputName));
        }

        var rows = swagger ? ReadSwaggerRows(input.Value, model) : ReadTableRows(input.Value, model);
        var outputs = new List<IReadOnlyList<string?>>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = new EmulatedRow(model.InputColumns, rows[i], i, globals);
            outputs.Add(await ScoreAsync(model, row, cancellationToken).ConfigureAwait(false));
        }

        await WriteAsync(context, model, outputs, swagger, details).ConfigureAwait(false);
    }

    internal static async ValueTask<IReadOnlyList<string?>> ScoreAsync(EmulatedModel model, EmulatedRow row, CancellationToken cancellationToken)
    {
        IReadOnlyList<string?> output;
        try
        {
            output = await model.ScoreAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not ServiceErrorException)
        {
            throw new ServiceErrorException(new ServiceError(StatusCodes.Status400BadRequest, "ModuleExecutionError", "ModuleExecutionError", $"The model failed on row {row.Index + 1}: {e.Message}"));
        }

        if (output is null || output.Count != model.OutputColumns.Count)
        {
            throw new ServiceErrorException(new ServiceError(
                StatusCodes.Status500InternalServerError,
                "InternalError",
                "ModelOutputMismatch",
                $"The model returned {output?.Count ?? 0} values for row {row.Index + 1}, but declares {model.OutputColumns.Count} output columns."));
        }

        return output;
    }

    private static async Task<JsonDocument> ParseAsync(HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, default, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ServiceErrorException(ServiceError.RequestBodyInvalid($"The request body is not valid JSON: {e.Message}"));
        }
    }

    private static List<string?[]> ReadTableRows(JsonElement table, EmulatedModel model)
    {
        if (table.ValueKind != JsonValueKind.Object)
        {
            throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"The input '{model.InputName}' must be a table with ColumnNames and Values (add format=swagger to send rows as objects).", model.InputName));
        }

        string?[] names;
        if (JsonCells.TryGetProperty(table, "ColumnNames", out var columnNames) && columnNames.ValueKind != JsonValueKind.Null)
        {
            if (columnNames.ValueKind != JsonValueKind.Array || columnNames.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String))
            {
                throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", "ColumnNames must be an array of strings.", model.InputName));
            }

            names = [.. columnNames.EnumerateArray().Select(n => n.GetString())];
        }
        else
        {
            names = [.. model.InputColumns.Select(c => c.Name)];
        }

        var positions = new int[model.InputColumns.Count];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = Array.IndexOf(names, model.InputColumns[i].Name);
            if (positions[i] < 0)
            {
                throw new ServiceErrorException(ServiceError.BadUserArgument("InputMismatchError", $"The input '{model.InputName}' has no column '{model.InputColumns[i].Name}'.", model.InputName));
            }
        }

        if (!JsonCells.TryGetProperty(table, "Values", out var values) || values.ValueKind != JsonValueKind.Array)
        {
            throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"The input '{model.InputName}' has no Values array.", model.InputName));
        }

        var rows = new List<string?[]>(values.GetArrayLength());
        var rowNumber = 0;
        foreach (var row in values.EnumerateArray())
        {
            rowNumber++;
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != names.Length)
            {
                throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"Row {rowNumber} of '{model.InputName}' must be an array of {names.Length} values, one per column name.", model.InputName));
            }

            var cells = new string?[positions.Length];
            for (var i = 0; i < positions.Length; i++)
            {
                if (!JsonCells.TryGetCell(row[positions[i]], out cells[i]))
                {
                    throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"Row {rowNumber}, column '{model.InputColumns[i].Name}': a value must be a string, number, boolean or null.", model.InputName));
                }
            }

            rows.Add(cells);
        }

        return rows;
    }

    private static List<string?[]> ReadSwaggerRows(JsonElement input, EmulatedModel model)
    {
        if (input.ValueKind != JsonValueKind.Array)
        {
            throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"With format=swagger the input '{model.InputName}' must be an array of row objects.", model.InputName));
        }

        var rows = new List<string?[]>(input.GetArrayLength());
        var rowNumber = 0;
        foreach (var row in input.EnumerateArray())
        {
            rowNumber++;
            if (row.ValueKind != JsonValueKind.Object)
            {
                throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"Row {rowNumber} of '{model.InputName}' must be an object of column name to value.", model.InputName));
            }

            var cells = new string?[model.InputColumns.Count];
            for (var i = 0; i < cells.Length; i++)
            {
                var name = model.InputColumns[i].Name;
                if (!row.TryGetProperty(name, out var cell))
                {
                    throw new ServiceErrorException(ServiceError.BadUserArgument("InputMismatchError", $"Row {rowNumber} of '{model.InputName}' has no column '{name}'.", model.InputName));
                }

                if (!JsonCells.TryGetCell(cell, out cells[i]))
                {
                    throw new ServiceErrorException(ServiceError.BadUserArgument("InputParseError", $"Row {rowNumber}, column '{name}': a value must be a string, number, boolean or null.", model.InputName));
                }
            }

            rows.Add(cells);
        }

        return rows;
    }

    private static async Task WriteAsync(HttpContext context, EmulatedModel model, List<IReadOnlyList<string?>> outputs, bool swagger, bool details)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Results");
            if (swagger)
            {
                writer.WriteStartArray(model.OutputName);
                foreach (var output in outputs)
                {
                    writer.WriteStartObject();
                    for (var i = 0; i < output.Count; i++)
                    {
                        writer.WriteString(model.OutputColumns[i].Name, output[i]);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }
            else
            {
                writer.WriteStartObject(model.OutputName);
                writer.WriteString("type", "table");
                writer.WriteStartObject("value");
                if (details)
                {
                    writer.WriteStartArray("ColumnNames");
                    foreach (var column in model.OutputColumns)
                    {
                        writer.WriteStringValue(column.Name);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("ColumnTypes");
                    foreach (var column in model.OutputColumns)
                    {
                        writer.WriteStringValue(column.Type);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteStartArray("Values");
                foreach (var output in outputs)
                {
                    writer.WriteStartArray();
                    foreach (var cell in output)
                    {
                        writer.WriteStringValue(cell);
                    }

                    writer.WriteEndArray();
                    if (writer.BytesPending > 16 * 1024)
                    {
                        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
