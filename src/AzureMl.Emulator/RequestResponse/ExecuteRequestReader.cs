using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>A classic execute call read into rows: the model's input cells in its column order, and the call's form.</summary>
internal sealed record ExecuteRequest(IReadOnlyList<string?[]> Rows, IReadOnlyDictionary<string, string?> GlobalParameters, bool Swagger, bool Details);

/// <summary>
/// Reads the body of <c>POST …/execute</c> (table form, or rows as objects with <c>format=swagger</c>) into rows for a
/// model, within the service's body limit; bad input is answered in the service's own errors.
/// </summary>
internal static class ExecuteRequestReader
{
    /// <exception cref="ServiceErrorException">The body is too large, not JSON, or not a valid call for this model.</exception>
    public static async Task<ExecuteRequest> ReadAsync(HttpContext context, EmulatedModel model, int maxRequestBytes, CancellationToken cancellationToken)
    {
        var swagger = string.Equals(context.Request.Query["format"], "swagger", StringComparison.OrdinalIgnoreCase);
        var details = string.Equals(context.Request.Query["details"], "true", StringComparison.OrdinalIgnoreCase);
        using var document = await ParseAsync(context, maxRequestBytes, cancellationToken).ConfigureAwait(false);
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
        return new ExecuteRequest(rows, globals, swagger, details);
    }

    private static async Task<JsonDocument> ParseAsync(HttpContext context, int maxRequestBytes, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > maxRequestBytes)
        {
            throw new ServiceErrorException(ServiceError.TooLarge(context.Request.ContentLength.Value, maxRequestBytes));
        }

        // A body without a length (chunked) is counted as it is read.
        var body = new LimitedReadStream(context.Request.Body, maxRequestBytes);
        try
        {
            return await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
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
}
