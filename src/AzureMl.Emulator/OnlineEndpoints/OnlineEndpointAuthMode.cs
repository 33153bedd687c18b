namespace AzureMl.Emulator;

/// <summary>How callers of an emulated online endpoint authenticate, as the endpoint's <c>auth_mode</c>.</summary>
public enum OnlineEndpointAuthMode
{
    /// <summary><c>key</c>: <c>Authorization: Bearer {primary or secondary key}</c>.</summary>
    Key,

    /// <summary>
    /// <c>aad_token</c>: <c>Authorization: Bearer {Microsoft Entra token}</c> for <c>https://ml.azure.com</c>; the
    /// emulator accepts the tokens it issues (<see cref="AzureMlEmulator.IssueEntraToken"/>, <see cref="AzureMlEmulator.TokenCredential"/>).
    /// </summary>
    EntraToken,

    /// <summary>
    /// The endpoint's <c>aml_token</c>: fetched from its Resource Manager <c>token</c> operation (emulated at
    /// <see cref="AzureMlEmulator.ManagementEndpoint"/>), valid one hour, to be refreshed after half an hour.
    /// </summary>
    AmlToken,
}
