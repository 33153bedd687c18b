namespace AzureMl.Packaging.Tests;

internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "AzureMl.Client.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"AzureMl.Client.sln was not found above {AppContext.BaseDirectory}.");
    }
}
