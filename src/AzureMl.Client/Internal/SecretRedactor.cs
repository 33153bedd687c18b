using System.Text.RegularExpressions;

namespace AzureMl.Client.Internal;

/// <summary>
/// Scrubs secrets from text that may reach a message or log: SAS signatures, storage account keys,
/// bearer tokens, and subscription keys in query strings or header dumps.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "REDACTED";

    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        return SecretPattern().Replace(text, m => m.Groups["name"].Value + Mask);
    }

    /// <summary>Returns <paramref name="uri"/> with every query value but an allow-listed few replaced.</summary>
    public static string RedactUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            return Redact(uri.OriginalString);
        }

        var query = uri.Query;
        var left = uri.GetLeftPart(UriPartial.Path);
        if (string.IsNullOrEmpty(query))
        {
            return left;
        }

        var parts = query.TrimStart('?').Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? parts[i] : parts[i][..eq];
            if (eq >= 0 && !IsAllowedQueryName(name))
            {
                parts[i] = name + "=" + Mask;
            }
        }

        return left + "?" + string.Join('&', parts);
    }

    private static bool IsAllowedQueryName(string name) =>
        name.Equals("api-version", StringComparison.OrdinalIgnoreCase)
        || name.Equals("details", StringComparison.OrdinalIgnoreCase)
        || name.Equals("format", StringComparison.OrdinalIgnoreCase)
        || name.Equals("sv", StringComparison.OrdinalIgnoreCase)
        || name.Equals("sr", StringComparison.OrdinalIgnoreCase)
        || name.Equals("sp", StringComparison.OrdinalIgnoreCase)
        || name.Equals("se", StringComparison.OrdinalIgnoreCase)
        || name.Equals("st", StringComparison.OrdinalIgnoreCase)
        || name.Equals("spr", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"(?<name>(?:\b(?:sig|subscription-key|code|AccountKey|SharedAccessSignature|SharedAccessKey)\s*=\s*)|(?:\bsubscription-key\s*:\s*)|(?:\bBearer\s+))[^;&\s""',]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
