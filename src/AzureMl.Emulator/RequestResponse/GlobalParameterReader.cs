using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>Checks a call's <c>GlobalParameters</c> against the parameters a model declares.</summary>
internal static class GlobalParameterReader
{
    public static IReadOnlyDictionary<string, string?> Read(JsonElement? parameters, EmulatedModel model)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!JsonCells.IsNullOrMissing(parameters))
        {
            if (parameters.Value.ValueKind != JsonValueKind.Object)
            {
                throw new ServiceErrorException(ServiceError.RequestBodyInvalid("GlobalParameters must be a JSON object."));
            }

            foreach (var property in parameters.Value.EnumerateObject())
            {
                if (!JsonCells.TryGetCell(property.Value, out var text))
                {
                    throw new ServiceErrorException(ServiceError.RequestBodyInvalid($"The global parameter '{property.Name}' must be a string, number, boolean or null."));
                }

                values[property.Name] = text;
            }
        }

        return Check(values, model);
    }

    public static IReadOnlyDictionary<string, string?> Check(Dictionary<string, string?> values, EmulatedModel model)
    {
        foreach (var name in values.Keys)
        {
            if (!model.GlobalParameters.Contains(name, StringComparer.Ordinal))
            {
                throw new ServiceErrorException(ServiceError.BadArgument("UnexpectedParameter", $"The global parameter '{name}' is not a parameter of this web service.", name));
            }
        }

        var missing = model.GlobalParameters.Where(name => !values.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            throw new ServiceErrorException(ServiceError.BadArgument("MissingRequiredGlobalParameters", $"Required global parameters are missing: {string.Join(", ", missing)}."));
        }

        return values;
    }
}
