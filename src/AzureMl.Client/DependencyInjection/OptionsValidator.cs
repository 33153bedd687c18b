using Microsoft.Extensions.Options;

namespace AzureMl.Client.Internal;

/// <summary>
/// Adapts an options type's own <c>Validate()</c> (one message per problem, naming the setting) to
/// <see cref="IValidateOptions{TOptions}"/>, so problems surface when the host starts and on first use.
/// </summary>
internal sealed class OptionsValidator<TOptions>(string what, Func<TOptions, IReadOnlyList<string>> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = validate(options);
        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var prefix = string.IsNullOrEmpty(name) ? $"AzureMl client{what}: " : $"AzureMl client '{name}'{what}: ";
        return ValidateOptionsResult.Fail(errors.Select(e => prefix + e));
    }
}
