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
    public int TrafficPercent { get; set; } = 100;

    /// <summary>Gets or sets <c>max_concurrent_requests_per_instance</c>: with <see cref="InstanceCount"/> it sets the in-flight cap, <c>2 × this × instances</c>, beyond which calls are answered 429.</summary>
    /// <value>1, as Azure ML. Range 1 to 1,000.</value>
    public int MaxConcurrentRequestsPerInstance { get; set; } = 1;

    /// <summary>Gets or sets the number of instances.</summary>
    /// <value>1. Range 1 to 50, as Azure ML.</value>
    public int InstanceCount { get; set; } = 1;

    /// <summary>Gets or sets <c>request_timeout_ms</c>: a call that runs longer is answered 408 <c>upstream request timeout</c>.</summary>
    /// <value>5 seconds, as Azure ML. Range above zero to 180 seconds. Measured on <see cref="AzureMlEmulatorOptions.TimeProvider"/>.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public override string ToString() => $"EmulatedDeployment {Name} ({TrafficPercent}%)";

    internal int InFlightCap => 2 * MaxConcurrentRequestsPerInstance * InstanceCount;

    internal void Validate()
    {
        if (TrafficPercent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(TrafficPercent), TrafficPercent, $"The traffic of deployment '{Name}' must be between 0 and 100 percent.");
        }

        if (MaxConcurrentRequestsPerInstance is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequestsPerInstance), MaxConcurrentRequestsPerInstance, $"MaxConcurrentRequestsPerInstance of deployment '{Name}' must be between 1 and 1,000.");
        }

        if (InstanceCount is < 1 or > 50)
        {
            throw new ArgumentOutOfRangeException(nameof(InstanceCount), InstanceCount, $"InstanceCount of deployment '{Name}' must be between 1 and 50.");
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromSeconds(180))
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, $"RequestTimeout of deployment '{Name}' must be above zero and at most 180 seconds.");
        }
    }
}
