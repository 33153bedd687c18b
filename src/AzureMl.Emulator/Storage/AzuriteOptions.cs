namespace AzureMl.Emulator;

/// <summary>Configures how <see cref="AzuriteInstance"/> finds, installs and starts Azurite.</summary>
public sealed class AzuriteOptions
{
    /// <summary>The environment variable that names the folder holding Azurite's <c>package.json</c>.</summary>
    public const string DirectoryVariable = "AZUREML_AZURITE_DIR";

    /// <summary>Gets or sets the folder holding the pinned <c>package.json</c> and <c>package-lock.json</c> of Azurite.</summary>
    /// <value><see langword="null"/>: the <c>AZUREML_AZURITE_DIR</c> environment variable, else the first <c>tools/azurite</c> found walking up from the application's folder, else the <c>azurite</c> folder shipped beside the application.</value>
    public string? Directory { get; set; }

    /// <summary>Gets or sets the Node.js executable that runs Azurite.</summary>
    /// <value><c>node</c>, found on the PATH.</value>
    public string NodeExecutable { get; set; } = "node";

    /// <summary>Gets or sets the npm executable that installs Azurite.</summary>
    /// <value><c>npm</c> (<c>npm.cmd</c> on Windows), found on the PATH.</value>
    public string NpmExecutable { get; set; } = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    /// <summary>Gets or sets how long installing Azurite with <c>npm ci</c> may take.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan InstallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long Azurite may take to start answering.</summary>
    /// <value>60 seconds.</value>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the clock that <see cref="InstallTimeout"/>, <see cref="StartTimeout"/> and the waits between attempts run on.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
