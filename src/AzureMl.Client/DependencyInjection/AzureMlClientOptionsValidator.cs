using Microsoft.Extensions.Options;

namespace AzureMl.Client.Internal;

/// <summary>Validates every named <see cref="AzureMlClientOptions"/> when the host starts (and on first use).</summary>
internal sealed class AzureMlClientOptionsValidator : IValidateOptions<AzureMlClientOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureMlClientOptions options)
    {
        var errors = options.Validate();
        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var prefix = string.IsNullOrEmpty(name) ? "AzureMl client: " : $"AzureMl client '{name}': ";
        return ValidateOptionsResult.Fail(errors.Select(e => prefix + e));
    }
}
