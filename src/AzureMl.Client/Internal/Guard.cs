namespace AzureMl.Client.Internal;

/// <summary>Argument checks shared by options and client methods.</summary>
internal static class Guard
{
    /// <summary>Throws when <paramref name="value"/> cannot be used as one URL path segment.</summary>
    public static string PathSegment(string? value, string paramName)
    {
        var problem = PathSegmentProblem(value);
        if (problem is not null)
        {
            if (value is null)
            {
                throw new ArgumentNullException(paramName, $"'{paramName}' is required.");
            }

            throw new ArgumentException($"'{paramName}' {problem}", paramName);
        }

        return value!;
    }

    /// <summary>Why <paramref name="value"/> cannot be a path segment, or <see langword="null"/> when it can.</summary>
    public static string? PathSegmentProblem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required and must not be empty.";
        }

        if (value is "." or ".." || value.Contains("..", StringComparison.Ordinal))
        {
            return "must not contain '..': it would change the URL path.";
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return "must not contain spaces or control characters: copy the id again exactly as the portal shows it.";
            }

            if (c is '/' or '\\' or '?' or '#' or '%' or '&' or '=' or ';' or ':' or '@' or '+')
            {
                return $"must not contain '{c}': it would change the URL. Ids are plain letters, digits and dashes.";
            }
        }

        return null;
    }

    public static bool HasLineBreakOrControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    public static bool HasQueryBreakingCharacter(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c is '&' or '#' or '?' or '=' or '%' or '/')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Throws when a secret (key) would break an HTTP header.</summary>
    public static string HeaderSecret(string? value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (HasLineBreakOrControl(value))
        {
            throw new ArgumentException($"'{paramName}' contains a line break or control character; remove them (the value is not shown here).", paramName);
        }

        return value;
    }
}
