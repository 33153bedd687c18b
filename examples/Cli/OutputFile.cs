namespace AzureMl.Cli;

/// <summary>Checks on a file the CLI is about to write, made before any call so a long run never ends in a bad path.</summary>
internal static class OutputFile
{
    public static void Check(FileInfo output, FileInfo input, string what)
    {
        if (Same(output, input))
        {
            throw new CliException(ExitCodes.UsageError, $"The {what} '{output.Name}' is the input file: scoring would overwrite it. Give the {what} another name.");
        }

        if (Directory.Exists(output.FullName))
        {
            throw new CliException(ExitCodes.UsageError, $"The {what} '{output.FullName}' is a directory: name a file in it, e.g. {Path.Combine(output.FullName, "scored.csv")}.");
        }

        if (output.Directory is { Exists: false } directory)
        {
            throw new CliException(ExitCodes.UsageError, $"The directory '{directory.FullName}' for the {what} does not exist: create it (mkdir -p) or write elsewhere.");
        }
    }

    public static bool Same(FileInfo a, FileInfo b)
    {
        if (string.Equals(Path.GetFullPath(a.FullName), Path.GetFullPath(b.FullName), StringComparison.Ordinal))
        {
            return true;
        }

        // The same file through a link: compare what the links resolve to.
        var ra = a.Exists ? a.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? a.FullName : a.FullName;
        var rb = b.Exists ? b.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? b.FullName : b.FullName;
        return string.Equals(ra, rb, StringComparison.Ordinal);
    }
}
