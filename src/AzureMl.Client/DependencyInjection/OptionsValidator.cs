using Microsoft.Extensions.Options;

namespace AzureMl.Client.Internal;

/// <summary>
/// Hands an options type's generated validator (the one its <c>Validate()</c> uses) to the options system, so the same
/// rules run when the host starts (<c>ValidateOnStart</c>) and on first use; each message names the client.
/// </summary>
/// <param name="what">What the options configure, after the client's name (<c>" resilience"</c>); empty for the client itself.</param>
/// <param name="validator">The options type's generated validator.</param>
/// <param name="onlyName">The only named options this validator checks; <see langword="null"/> for every name.</param>
internal sealed class OptionsValidator<TOptions>(string what, IValidateOptions<TOptions> validator, string? onlyName = null) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (onlyName is not null && !string.Equals(name ?? string.Empty, onlyName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = AzureMl.Validation.OptionsValidation.Messages(validator.Validate(null, options));
        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var prefix = string.IsNullOrEmpty(name) ? $"AzureMl client{what}: " : $"AzureMl client '{name}'{what}: ";
        return ValidateOptionsResult.Fail(errors.Select(e => prefix + e));
    }
}
