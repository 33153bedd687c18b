using System.ComponentModel.DataAnnotations;
using AzureMl.Validation;
using Microsoft.Extensions.Options;

namespace AzureMl.Emulator;

/// <summary>A managed online endpoint the emulator hosts: its name, credentials and deployments.</summary>
public sealed class EmulatedOnlineEndpoint : IValidatableObject
{
    /// <summary>The name of the default endpoint.</summary>
    public const string DefaultName = "feature-hashing";

    /// <summary>The name of the default endpoint's deployment.</summary>
    public const string DefaultDeploymentName = "blue";

    /// <summary>The built-in primary key of an endpoint whose key is not set (a demo value, printed by the emulator program).</summary>
    public const string DefaultPrimaryKey = "emulator-online-primary-key";

    /// <summary>The built-in secondary key of an endpoint whose key is not set.</summary>
    public const string DefaultSecondaryKey = "emulator-online-secondary-key";

    /// <summary>Initializes a new instance of the <see cref="EmulatedOnlineEndpoint"/> class.</summary>
    /// <param name="name">The endpoint name: letters, digits and hyphens, as in <c>{name}.{region}.inference.ml.azure.com</c>.</param>
    public EmulatedOnlineEndpoint(string name)
    {
        ValidateName(name, nameof(name));
        Name = name;
    }

    /// <summary>Gets the endpoint name.</summary>
    public string Name { get; }

    /// <summary>Gets or sets how callers authenticate.</summary>
    /// <value><see cref="OnlineEndpointAuthMode.Key"/>.</value>
    public OnlineEndpointAuthMode AuthMode { get; set; } = OnlineEndpointAuthMode.Key;

    /// <summary>Gets or sets the primary key (key authentication).</summary>
    /// <value><see cref="DefaultPrimaryKey"/>.</value>
    [Required(ErrorMessage = nameof(PrimaryKey) + " is required.")]
    public string PrimaryKey { get; set; } = DefaultPrimaryKey;

    /// <summary>Gets or sets the secondary key (key authentication).</summary>
    /// <value><see cref="DefaultSecondaryKey"/>.</value>
    [Required(ErrorMessage = nameof(SecondaryKey) + " is required.")]
    public string SecondaryKey { get; set; } = DefaultSecondaryKey;

    /// <summary>Gets the deployments behind the endpoint.</summary>
    /// <value>Empty: an endpoint without deployments answers 404, as one without positive traffic.</value>
#pragma warning disable SYSLIB1213 // Checked in IValidatableObject.Validate, so its messages name the deployment.
    public IList<EmulatedDeployment> Deployments { get; } = new List<EmulatedDeployment>();
#pragma warning restore SYSLIB1213

    /// <summary>Creates the default endpoint: <see cref="DefaultName"/> with one deployment, <see cref="DefaultDeploymentName"/> at 100% traffic, running the feature hashing model.</summary>
    /// <param name="model">The model; <see langword="null"/> for the walkthrough's feature hashing model (bits 3, n-grams 2, column <c>Col2</c>).</param>
    /// <returns>The endpoint.</returns>
    public static EmulatedOnlineEndpoint CreateDefault(EmulatedModel? model = null)
    {
        var endpoint = new EmulatedOnlineEndpoint(DefaultName);
        endpoint.Deployments.Add(new EmulatedDeployment(DefaultDeploymentName, model ?? new FeatureHashingModel()));
        return endpoint;
    }

    /// <summary>Describes the endpoint; keys are never shown.</summary>
    /// <returns>The name and deployments.</returns>
    public override string ToString() => $"EmulatedOnlineEndpoint {Name} ({AuthMode}; {string.Join(", ", Deployments.Select(d => d?.ToString()))})";

    internal static void ValidateName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        if (!char.IsAsciiLetter(name[0]) || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            throw new ArgumentException($"The name '{name}' must start with a letter and hold only letters, digits and '-'.", parameterName);
        }
    }

    /// <summary>Checks the endpoint's settings and its deployments' and returns one message per problem, each naming the setting to fix.</summary>
    /// <returns>An empty list when the settings are usable.</returns>
    public IReadOnlyList<string> Validate() => OptionsValidation.Messages(EmulatedOnlineEndpointValidator.Instance.Validate(null, this));

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(AuthMode))
        {
            yield return OptionsValidation.Problem($"{nameof(AuthMode)} has an unknown value {(int)AuthMode}: use {string.Join(" or ", Enum.GetNames<OnlineEndpointAuthMode>())}.");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var traffic = 0;
        foreach (var deployment in Deployments)
        {
            if (deployment is null)
            {
                yield return OptionsValidation.Problem($"{nameof(Deployments)} holds null: remove it.");
                continue;
            }

            foreach (var problem in OptionsValidation.Nested($"{nameof(Deployments)}['{deployment.Name}']", deployment.Validate()))
            {
                yield return problem;
            }

            if (!names.Add(deployment.Name))
            {
                yield return OptionsValidation.Problem($"{nameof(Deployments)}: the deployment name '{deployment.Name}' is used twice in endpoint '{Name}'.");
            }

            traffic += deployment.TrafficPercent;
        }

        if (traffic > 100)
        {
            yield return OptionsValidation.Problem($"{nameof(Deployments)} of endpoint '{Name}' take {traffic}% of its traffic; set their TrafficPercent to add up to at most 100.");
        }
    }
}

/// <summary>Checks <see cref="EmulatedOnlineEndpoint"/>: its attributes, its deployments and their traffic.</summary>
[OptionsValidator]
internal sealed partial class EmulatedOnlineEndpointValidator : IValidateOptions<EmulatedOnlineEndpoint>
{
    public static EmulatedOnlineEndpointValidator Instance { get; } = new();
}
