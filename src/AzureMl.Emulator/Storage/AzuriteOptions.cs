using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

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
    [Required(ErrorMessage = nameof(NodeExecutable) + " is required: node, or the path of the Node.js executable.")]
    public string NodeExecutable { get; set; } = "node";

    /// <summary>Gets or sets the npm executable that installs Azurite.</summary>
    /// <value><c>npm</c> (<c>npm.cmd</c> on Windows), found on the PATH.</value>
    [Required(ErrorMessage = nameof(NpmExecutable) + " is required: npm, or the path of the npm executable.")]
    public string NpmExecutable { get; set; } = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    /// <summary>Gets or sets how long installing Azurite with <c>npm ci</c> may take.</summary>
    /// <value>5 minutes. Range above zero to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ParseLimitsInInvariantCulture = true, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan InstallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long Azurite may take to start answering.</summary>
    /// <value>60 seconds. Range above zero to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ParseLimitsInInvariantCulture = true, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the clock that <see cref="InstallTimeout"/>, <see cref="StartTimeout"/> and the waits between attempts run on.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = nameof(TimeProvider) + " is null: leave it at TimeProvider.System, or set the clock to wait on.")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(AzuriteOptionsValidator.Instance.Validate(null, this));

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    internal void ThrowIfInvalid(string paramName) => OptionsValidation.ThrowIfInvalid(Validate(), nameof(AzuriteOptions), paramName);
}

/// <summary>Checks <see cref="AzuriteOptions"/>: its attributes.</summary>
[OptionsValidator]
internal sealed partial class AzuriteOptionsValidator : IValidateOptions<AzuriteOptions>
{
    public static AzuriteOptionsValidator Instance { get; } = new();
}
