namespace AzureMl.Client.Internal;

/// <summary>Checks scoring requests before anything is sent.</summary>
internal static class ScoringValidation
{
    /// <summary>Why <paramref name="name"/> cannot be used as an input, parameter or column name, or null.</summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "is null or empty.";
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return c is '\r' or '\n'
                    ? "contains a line break (CR or LF); remove it."
                    : $"contains the control character U+{(int)c:X4}; remove it.";
            }
        }

        return null;
    }

    public static void Validate(ScoringRequest request, string paramName)
    {
        ArgumentNullException.ThrowIfNull(request, paramName);
        if (request.Inputs.Count == 0)
        {
            throw new ArgumentException($"The request has no inputs: add a table, e.g. Inputs[\"{ScoringRequest.DefaultInputName}\"] = table.", paramName);
        }

        foreach (var (name, table) in request.Inputs)
        {
            CheckName(name, "Input name", paramName);
            if (table is null)
            {
                throw new ArgumentException($"Input '{name}' is null: give it a ScoringTable.", paramName);
            }

            if (table.RawRows.Count == 0)
            {
                throw new ArgumentException($"Input '{name}' has no rows: add at least one row with AddRow.", paramName);
            }
        }

        CheckParameters(request.GlobalParameters, paramName);
    }

    public static void Validate(SwaggerScoringRequest request, string paramName)
    {
        ArgumentNullException.ThrowIfNull(request, paramName);
        if (request.Inputs.Count == 0)
        {
            throw new ArgumentException($"The request has no inputs: add rows, e.g. Inputs[\"{ScoringRequest.DefaultInputName}\"] = rows.", paramName);
        }

        foreach (var (name, rows) in request.Inputs)
        {
            CheckName(name, "Input name", paramName);
            if (rows is null || rows.Count == 0)
            {
                throw new ArgumentException($"Input '{name}' has no rows: add at least one row.", paramName);
            }

            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i] ?? throw new ArgumentException($"Input '{name}', row {i} is null.", paramName);
                foreach (var key in row.Keys)
                {
                    var problem = NameProblem(key);
                    if (problem is not null)
                    {
                        throw new ArgumentException($"Input '{name}', row {i}: a column name {problem}", paramName);
                    }
                }
            }
        }

        CheckParameters(request.GlobalParameters, paramName);
    }

    public static void CheckParameters(IDictionary<string, string> parameters, string paramName)
    {
        foreach (var (name, value) in parameters)
        {
            CheckName(name, "Global parameter name", paramName);
            if (value is null)
            {
                throw new ArgumentException($"Global parameter '{name}' is null: give it a value, or remove it.", paramName);
            }
        }
    }

    private static void CheckName(string name, string what, string paramName)
    {
        var problem = NameProblem(name);
        if (problem is not null)
        {
            throw new ArgumentException($"{what} {problem}", paramName);
        }
    }
}
