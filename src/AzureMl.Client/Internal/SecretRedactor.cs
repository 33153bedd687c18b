using System.Text.RegularExpressions;

namespace AzureMl.Client.Internal;

/// <summary>
/// Scrubs secrets from text that may reach a message or log: SAS signatures, storage account keys,
/// bearer tokens, and subscription keys in query strings or header dumps.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>The one redactor: every secret the client knows of becomes <see cref="Mask"/>, in messages, logs and <c>ToString()</c>.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        return SecretPattern().Replace(text, m => m.Groups["name"].Value + Mask);
    }

    [GeneratedRegex(@"(?<name>(?:\b(?:sig|subscription-key|code|AccountKey|SharedAccessSignature|SharedAccessKey)\s*=\s*)|(?:\bsubscription-key\s*:\s*)|(?:\bBearer\s+))[^;&\s""',]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
