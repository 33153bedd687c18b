using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AzureMl.Validation;

/// <summary>
/// The one way options are validated, compiled into both packages from this one file. Each options type declares its
/// ranges with <c>System.ComponentModel.DataAnnotations</c> attributes, states its cross-setting rules in an explicit
/// <see cref="IValidatableObject"/> implementation, and has a source-generated <c>[OptionsValidator]</c> that checks
/// both (trim- and AOT-safe: no reflection). Its public <c>Validate()</c> returns <see cref="Messages"/> of that
/// validator, its internal <c>ThrowIfInvalid(paramName)</c> goes through <see cref="ThrowIfInvalid"/>, and DI
/// registrations hand the same validator to <c>ValidateOnStart</c>. Every message starts with the setting's name and
/// says what to use instead.
/// </summary>
internal static class OptionsValidation
{
    /// <summary>
    /// Why a <c>[Range(typeof(TimeSpan), …)]</c> is safe to trim: that attribute constructor is marked as needing
    /// reflection, but only the source-generated validator reads these ranges, through its own reflection-free copy.
    /// </summary>
    public const string TimeSpanRangeJustification =
        "Only the source-generated options validator reads this range, through its own copy of the attribute that parses TimeSpan limits without reflection.";

    /// <summary>One message per problem the validator found, each starting with the setting's name.</summary>
    public static IReadOnlyList<string> Messages(ValidateOptionsResult result)
    {
        if (!result.Failed || result.Failures is null)
        {
            return [];
        }

        var messages = new List<string>();
        foreach (var failure in result.Failures)
        {
            messages.Add(Normalized(failure));
        }

        return messages;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every message, when there are any.</summary>
    public static void ThrowIfInvalid(IReadOnlyList<string> messages, string typeName, string paramName)
    {
        if (messages.Count > 0)
        {
            throw new ArgumentException($"Invalid {typeName}: " + string.Join(" ", messages), paramName);
        }
    }

    /// <summary>A cross-setting problem; the message starts with the setting's name.</summary>
    public static ValidationResult Problem(string message) => new(message);

    /// <summary>The problems of a nested options object, each message prefixed with the path to it (<c>Gateway.</c>).</summary>
    public static IEnumerable<ValidationResult> Nested(string path, IEnumerable<string> messages) =>
        messages.Select(m => Problem(path + "." + m));

    // The result builder writes a failure as "Member: message". A rule stated in code, or an attribute whose
    // ErrorMessage the generator honours ([Required]), already starts with the member's name, so the repeat is dropped.
    // The generator's [Range] ignores ErrorMessage and writes "The field Type.Member must be between A and B.", which
    // becomes "Member must be between A and B.". Any other shape is kept whole.
    private static string Normalized(string failure)
    {
        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0)
        {
            return failure;
        }

        var member = failure[..colon];
        var text = failure[(colon + 2)..];
        if (text.StartsWith(member, StringComparison.Ordinal))
        {
            return text;
        }

        var named = text.IndexOf("." + member + " ", StringComparison.Ordinal);
        return text.StartsWith("The field ", StringComparison.Ordinal) && named > 0
            ? member + text[(named + member.Length + 1)..]
            : failure;
    }
}
