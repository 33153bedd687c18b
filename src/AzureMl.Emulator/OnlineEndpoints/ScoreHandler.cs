using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>
/// A managed online endpoint's data plane: <c>POST {root}/onlineEndpoints/{name}/score</c> and
/// <c>GET …/swagger.json</c>, with the endpoint's answers (401, 404, 408, 429) and the container's errors wrapped in
/// 424 as Azure ML does.
/// </summary>
internal sealed class ScoreHandler(IReadOnlyDictionary<string, OnlineEndpointState> endpoints, EmulatorTokenIssuer tokens, int maxRequestBytes)
{
    public const string EndpointRoute = "ep";
    public const string DeploymentHeader = "azureml-model-deployment";

    public OnlineEndpointState? Find(HttpContext context) =>
        context.GetRouteValue(EndpointRoute) is string name && endpoints.TryGetValue(name, out var state) ? state : null;

    public async Task ScoreAsync(HttpContext context)
    {
        Trace(context);
        var (endpoint, deployment) = await AdmitAsync(context).ConfigureAwait(false);
        if (deployment is null)
        {
            return;
        }

        context.Response.Headers[DeploymentHeader] = deployment.Name;
        if (deployment.Enter() > deployment.InFlightCap)
        {
            deployment.Exit();
            await WriteMessageAsync(context, StatusCodes.Status429TooManyRequests, $"Too many pending requests: deployment '{deployment.Name}' already runs {deployment.InFlightCap}, its cap (2 x max_concurrent_requests_per_instance x instance_count).").ConfigureAwait(false);
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(deployment.RequestTimeout, tokens.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
            try
            {
                // The wait, not the model, decides: a model that ignores its token is still cut off, as the endpoint does.
                // Only this flow writes the answer, so a model finishing after the 408 cannot touch the response.
                var run = RunAsync(context, deployment, linked.Token);
                _ = run.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                var answer = await run.WaitAsync(linked.Token).ConfigureAwait(false);
                await answer(context).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                if (!context.Response.HasStarted)
                {
                    context.Response.StatusCode = StatusCodes.Status408RequestTimeout;
                    context.Response.ContentType = "text/plain";
                    await context.Response.WriteAsync("upstream request timeout", CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            deployment.Exit();
        }
    }

    public async Task SwaggerAsync(HttpContext context)
    {
        Trace(context);
        var (_, deployment) = await AdmitAsync(context).ConfigureAwait(false);
        if (deployment is null)
        {
            return;
        }

        var version = context.Request.Query["version"].ToString();
        if (version is not ("" or "2" or "3"))
        {
            await WriteMessageAsync(context, StatusCodes.Status404NotFound, $"Swagger version [{version}] is not valid. Supported versions: [2, 3].").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(OnlineSwagger.Write(deployment, version == "3"), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Answers the caller's tracing headers: a fresh <c>x-request-id</c> GUID and the echoed client id.</summary>
    private static void Trace(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-request-id"] = requestId;
        var clientId = context.Request.Headers["x-ms-client-request-id"].ToString();
        if (clientId.Length > 0)
        {
            // The endpoint keeps letters, digits, '-' and '_', and at most 40 of them.
            var kept = new string([.. clientId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(40)]);
            context.Response.Headers["x-ms-client-request-id"] = kept;
            context.Response.Headers["x-ms-request-id"] = kept;
        }
        else
        {
            context.Response.Headers["x-ms-request-id"] = requestId;
        }
    }

    /// <summary>Finds the endpoint, checks the credential and picks the deployment; answers and returns no deployment when the call stops here.</summary>
    private async Task<(OnlineEndpointState? Endpoint, DeploymentState? Deployment)> AdmitAsync(HttpContext context)
    {
        var endpoint = Find(context);
        if (endpoint is null)
        {
            await WriteMessageAsync(context, StatusCodes.Status404NotFound, $"The online endpoint '{context.GetRouteValue(EndpointRoute)}' was not found.").ConfigureAwait(false);
            return (null, null);
        }

        if (!IsAuthorized(context, endpoint))
        {
            await WriteMessageAsync(context, StatusCodes.Status401Unauthorized, endpoint.AuthMode == OnlineEndpointAuthMode.Key
                ? "Authentication failed: send 'Authorization: Bearer {key}' with the endpoint's primary or secondary key."
                : "Authentication failed: send 'Authorization: Bearer {token}' with a valid Microsoft Entra token for https://ml.azure.com.").ConfigureAwait(false);
            return (endpoint, null);
        }

        DeploymentState? deployment;
        var pinned = context.Request.Headers[DeploymentHeader].ToString();
        if (pinned.Length > 0)
        {
            deployment = endpoint.Find(pinned);
            if (deployment is null)
            {
                await WriteMessageAsync(context, StatusCodes.Status404NotFound, $"The endpoint '{endpoint.Name}' has no deployment '{pinned}' (azureml-model-deployment).").ConfigureAwait(false);
            }
        }
        else
        {
            deployment = endpoint.Pick();
            if (deployment is null)
            {
                await WriteMessageAsync(context, StatusCodes.Status404NotFound, $"The endpoint '{endpoint.Name}' doesn't have any valid deployment with positive weight.").ConfigureAwait(false);
            }
        }

        return (endpoint, deployment);
    }

    private bool IsAuthorized(HttpContext context, OnlineEndpointState endpoint)
    {
        if (!AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization.ToString(), out var value)
            || !string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(value.Parameter))
        {
            return false;
        }

        return endpoint.AuthMode switch
        {
            OnlineEndpointAuthMode.Key => endpoint.MatchesKey(value.Parameter),
            OnlineEndpointAuthMode.AmlToken => tokens.IsValid(value.Parameter, ResourceManagerHandler.AmlTokenAudience(endpoint.Name)),
            _ => tokens.IsValid(value.Parameter, EmulatorTokenIssuer.MlAudience),
        };
    }

    /// <summary>Reads and scores the call; returns what to answer, written by the caller only if the call did not time out first.</summary>
    private async Task<Func<HttpContext, Task>> RunAsync(HttpContext context, DeploymentState deployment, CancellationToken cancellationToken)
    {
        var model = deployment.Model;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return c => WriteModelErrorAsync(c, StatusCodes.Status415UnsupportedMediaType, "Expects Content-Type to be application/json");
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await new LimitedReadStream(context.Request.Body, maxRequestBytes).CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (ServiceErrorException)
        {
            return c => WriteMessageAsync(c, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxRequestBytes} bytes.");
        }

        if (body.Length == 0)
        {
            return c => WriteModelErrorAsync(c, StatusCodes.Status400BadRequest, "POST body is empty. Expecting a JSON dictionary.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return c => WriteModelErrorAsync(c, StatusCodes.Status400BadRequest, "POST body could not be decoded as JSON: " + e.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return c => WriteModelErrorAsync(c, StatusCodes.Status400BadRequest, "POST body should be a JSON dictionary.");
            }

            if (!root.TryGetProperty("input_data", out var input) || input.ValueKind == JsonValueKind.Null)
            {
                return c => WriteModelErrorAsync(c, StatusCodes.Status400BadRequest, "A value is not provided for the 'input_data' parameter.");
            }

            var (rows, problem) = ReadRows(input, model, ReadParams(root));
            if (rows is null)
            {
                // Design choice: MLflow's schema enforcement rejects such input; the emulator names the problem with a 400.
                return c => WriteModelErrorAsync(c, StatusCodes.Status400BadRequest, problem!);
            }

            var scored = new List<IReadOnlyList<string?>>(rows.Count);
            foreach (var row in rows)
            {
                try
                {
                    // An endpoint answers with its model's first output.
                    scored.Add((await ModelScorer.ScoreAsync(model, row, cancellationToken).ConfigureAwait(false))[0]);
                }
                catch (ModelScoringException)
                {
                    return c =>
                    {
                        c.Response.Headers["x-ms-run-function-failed"] = "True";
                        return WriteModelErrorAsync(c, StatusCodes.Status500InternalServerError, "An unexpected error occurred in scoring script. Check the logs for more info.");
                    };
                }
            }

            return c => WriteRecordsAsync(c, model.Outputs[0].Columns, scored);
        }
    }

    private static Dictionary<string, string?> ReadParams(JsonElement root)
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in p.EnumerateObject())
            {
                parameters[property.Name] = JsonCells.TryGetCell(property.Value, out var text) ? text : property.Value.GetRawText();
            }
        }

        return parameters;
    }

    /// <summary>Reads split orientation (<c>columns</c>, <c>index</c>, <c>data</c>) or a tensor (rows of cells in input-column order).</summary>
    private static (List<EmulatedRow>? Rows, string? Problem) ReadRows(JsonElement input, EmulatedModel model, IReadOnlyDictionary<string, string?> parameters)
    {
        var inputs = model.InputColumns;
        JsonElement data;
        int[] positions;
        int width;
        if (input.ValueKind == JsonValueKind.Object)
        {
            if (!input.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array
                || !input.TryGetProperty("data", out data) || data.ValueKind != JsonValueKind.Array)
            {
                return (null, "input_data must be a DataFrame in split orientation: {\"columns\": [...], \"index\": [...], \"data\": [[...]]}.");
            }

            var names = columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString() : c.GetRawText()).ToArray();
            width = names.Length;
            positions = new int[inputs.Count];
            for (var i = 0; i < inputs.Count; i++)
            {
                positions[i] = Array.IndexOf(names, inputs[i].Name);
                if (positions[i] < 0)
                {
                    return (null, $"Failed to enforce schema of data: input_data has no column '{inputs[i].Name}'; the model expects [{string.Join(", ", inputs.Select(c => "'" + c.Name + "'"))}].");
                }
            }
        }
        else if (input.ValueKind == JsonValueKind.Array)
        {
            data = input;
            width = inputs.Count;
            positions = [.. Enumerable.Range(0, inputs.Count)];
        }
        else
        {
            return (null, "input_data must be a DataFrame in split orientation or an array of rows.");
        }

        var rows = new List<EmulatedRow>(data.GetArrayLength());
        var index = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != width)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"Row {index} of input_data must be an array of {width} values."));
            }

            var cells = new string?[positions.Length];
            for (var i = 0; i < positions.Length; i++)
            {
                if (!JsonCells.TryGetCell(row[positions[i]], out cells[i]))
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"Row {index}, column '{inputs[i].Name}': a value must be a string, number, boolean or null."));
                }
            }

            rows.Add(new EmulatedRow(inputs, cells, index++, parameters));
        }

        return (rows, null);
    }

    /// <summary>A DataFrame answer in records orientation; a cell of a numeric or boolean column that reads as one is written as one.</summary>
    private static async Task WriteRecordsAsync(HttpContext context, IReadOnlyList<EmulatedColumn> columns, List<IReadOnlyList<string?>> rows)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            // Each name is encoded once per answer, not once per row.
            var names = new JsonEncodedText[columns.Count];
            var numeric = new bool[columns.Count];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = JsonEncodedText.Encode(columns[i].Name);
                numeric[i] = OnlineSwagger.IsNumeric(columns[i].Type);
            }

            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                for (var i = 0; i < names.Length; i++)
                {
                    writer.WritePropertyName(names[i]);
                    WriteCell(writer, columns[i].Type, numeric[i], row[i]);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    private static void WriteCell(Utf8JsonWriter writer, string type, bool numeric, string? cell)
    {
        if (cell is null)
        {
            writer.WriteNullValue();
        }
        else if (numeric && long.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
        {
            writer.WriteNumberValue(whole);
        }
        else if (numeric && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else if (string.Equals(type, "Boolean", StringComparison.OrdinalIgnoreCase) && bool.TryParse(cell, out var flag))
        {
            writer.WriteBooleanValue(flag);
        }
        else
        {
            writer.WriteStringValue(cell);
        }
    }

    /// <summary>A container answer other than 200, as the endpoint passes it on: 424 with the container's status and body.</summary>
    private static Task WriteModelErrorAsync(HttpContext context, int containerStatus, string message)
    {
        context.Response.Headers["ms-azureml-model-error-statuscode"] = containerStatus.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["ms-azureml-model-error-reason"] = "model_error";
        return WriteMessageAsync(context, StatusCodes.Status424FailedDependency, message);
    }

    internal static async Task WriteMessageAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }
    }
}
