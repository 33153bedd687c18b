using Microsoft.Extensions.Options;

namespace AzureMl.Client.Resilience;

/// <summary>Validates every named <see cref="AzureMlResilienceOptions"/> when the host starts (and on first use).</summary>
internal sealed class AzureMlResilienceOptionsValidator : IValidateOptions<AzureMlResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureMlResilienceOptions options)
    {
        var errors = options.Validate();
        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var prefix = string.IsNullOrEmpty(name) ? "AzureMl client resilience: " : $"AzureMl client '{name}' resilience: ";
        return ValidateOptionsResult.Fail(errors.Select(e => prefix + e));
    }
}
