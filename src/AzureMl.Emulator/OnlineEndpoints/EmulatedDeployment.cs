using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Emulator;

/// <summary>
/// A deployment behind an emulated online endpoint: an MLflow-style deployment of an <see cref="EmulatedModel"/>
/// that reads <c>{"input_data": {"columns", "index", "data"}}</c> and answers an array of row objects.
/// </summary>
public sealed class EmulatedDeployment
{
    /// <summary>Initializes a new instance of the <see cref="EmulatedDeployment"/> class.</summary>
    /// <param name="name">The deployment name, sent by callers as <c>azureml-model-deployment</c>: letters, digits and hyphens.</param>
    /// <param name="model">The model; its first output's columns are the answer's row members.</param>
    public EmulatedDeployment(string name, EmulatedModel model)
    {
        EmulatedOnlineEndpoint.ValidateName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(model);
        Name = name;
        Model = model;
    }

    /// <summary>Gets the deployment name.</summary>
    public string Name { get; }

    /// <summary>Gets the model.</summary>
    public EmulatedModel Model { get; }

    /// <summary>Gets or sets the share of the endpoint's traffic, in percent; calls without <c>azureml-model-deployment</c> pick a deployment by these weights.</summary>
    /// <value>100. Range 0 to 100; the endpoint's deployments add up to at most 100.</value>
    [Range(0, 100)]
    public int TrafficPercent { get; set; } = 100;

    /// <summary>Gets or sets <c>max_concurrent_requests_per_instance</c>: with <see cref="InstanceCount"/> it sets the in-flight cap, <c>2 × this × instances</c>, beyond which calls are answered 429.</summary>
    /// <value>1, as Azure ML. Range 1 to 1,000.</value>
    [Range(1, 1000)]
    public int MaxConcurrentRequestsPerInstance { get; set; } = 1;

    /// <summary>Gets or sets the number of instances.</summary>
    /// <value>1. Range 1 to 50, as Azure ML.</value>
    [Range(1, 50)]
    public int InstanceCount { get; set; } = 1;

    /// <summary>Gets or sets <c>request_timeout_ms</c>: a call that runs longer is answered 408 <c>upstream request timeout</c>.</summary>
    /// <value>5 seconds, as Azure ML. Range above zero to 180 seconds. Measured on <see cref="AzureMlEmulatorOptions.TimeProvider"/>.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:03:00", ParseLimitsInInvariantCulture = true, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.TimeSpanRangeJustification)]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public override string ToString() => $"EmulatedDeployment {Name} ({TrafficPercent}%)";

    internal int InFlightCap => 2 * MaxConcurrentRequestsPerInstance * InstanceCount;

    /// <summary>Checks the deployment's settings and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(EmulatedDeploymentValidator.Instance.Validate(null, this));
}

/// <summary>Checks <see cref="EmulatedDeployment"/>: its attributes.</summary>
[OptionsValidator]
internal sealed partial class EmulatedDeploymentValidator : IValidateOptions<EmulatedDeployment>
{
    public static EmulatedDeploymentValidator Instance { get; } = new();
}
