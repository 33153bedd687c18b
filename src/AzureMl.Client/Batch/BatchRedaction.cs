using System.Text.RegularExpressions;

namespace AzureMl.Client.Batch;

/// <summary>Masks storage secrets in text meant for display: account keys and SAS signatures become <c>***</c>.</summary>
internal static partial class BatchRedaction
{
    public static string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? string.Empty : SecretPattern().Replace(text, m => m.Groups["name"].Value + "***");

    [GeneratedRegex(@"(?<name>\b(?:AccountKey|SharedAccessKey|sig)\s*=\s*)[^;&\s""',]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
