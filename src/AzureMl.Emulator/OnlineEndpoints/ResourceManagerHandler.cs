using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AzureMl.Emulator;

/// <summary>
/// The Azure Resource Manager operations of an online endpoint that a data-plane client uses:
/// <c>POST …/onlineEndpoints/{name}/listKeys</c>, <c>…/token</c> (the endpoint's <c>aml_token</c>, times in epoch
/// seconds) and <c>…/regenerateKeys</c>. The caller needs a management token the emulator issued
/// (<see cref="AzureMlEmulator.TokenCredential"/> with scope <c>https://management.azure.com/.default</c>). Any
/// subscription, resource group and workspace in the path name the emulator's one workspace.
/// </summary>
internal sealed class ResourceManagerHandler(Dictionary<string, OnlineEndpointState> endpoints, EmulatorTokenIssuer tokens)
{
    public const string Route = "subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/onlineEndpoints/{" + ScoreHandler.EndpointRoute + "}";

    /// <summary>How long before an <c>aml_token</c> expires the client is told to fetch a new one.</summary>
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(30);

    /// <summary>The audience an endpoint's <c>aml_token</c> is issued for.</summary>
    public static string AmlTokenAudience(string endpoint) => "aml_token:" + endpoint.ToLowerInvariant();

    public async Task ListKeysAsync(HttpContext context)
    {
        if (await AdmitAsync(context).ConfigureAwait(false) is { } endpoint)
        {
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["primaryKey"] = endpoint.Key(KeyType.Primary), ["secondaryKey"] = endpoint.Key(KeyType.Secondary) }, ResourceManagerJsonContext.Default.DictionaryStringString, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
    }

    public async Task TokenAsync(HttpContext context)
    {
        if (await AdmitAsync(context).ConfigureAwait(false) is not { } endpoint)
        {
            return;
        }

        var (token, expiresOn) = tokens.Issue(AmlTokenAudience(endpoint.Name), "emulator-aml-");
        await context.Response.WriteAsJsonAsync(
            new AmlTokenBody(token, expiresOn.ToUnixTimeSeconds(), (expiresOn - RefreshBefore).ToUnixTimeSeconds(), "Bearer"),
            ResourceManagerJsonContext.Default.AmlTokenBody,
            cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    public async Task RegenerateKeysAsync(HttpContext context)
    {
        if (await AdmitAsync(context).ConfigureAwait(false) is not { } endpoint)
        {
            return;
        }

        KeyType type;
        string? value = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            var keyType = body.RootElement.GetProperty("keyType").GetString();
            type = string.Equals(keyType, "Secondary", StringComparison.OrdinalIgnoreCase) ? KeyType.Secondary
                : string.Equals(keyType, "Primary", StringComparison.OrdinalIgnoreCase) ? KeyType.Primary
                : throw new FormatException();
            if (body.RootElement.TryGetProperty("keyValue", out var given) && given.ValueKind == JsonValueKind.String)
            {
                value = given.GetString();
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestContent", "The body must be {\"keyType\": \"Primary\"|\"Secondary\", \"keyValue\": optional}.").ConfigureAwait(false);
            return;
        }

        endpoint.Regenerate(type, value);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task<OnlineEndpointState?> AdmitAsync(HttpContext context)
    {
        if (!AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization.ToString(), out var value)
            || !string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || !tokens.IsValid(value.Parameter, EmulatorTokenIssuer.ManagementAudience))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "AuthenticationFailed", "Send 'Authorization: Bearer {token}' with a Resource Manager token the emulator issued (scope https://management.azure.com/.default).").ConfigureAwait(false);
            return null;
        }

        var name = context.GetRouteValue(ScoreHandler.EndpointRoute) as string ?? string.Empty;
        if (!endpoints.TryGetValue(name, out var endpoint))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "ResourceNotFound", $"The online endpoint '{name}' was not found.").ConfigureAwait(false);
            return null;
        }

        return endpoint;
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ResourceManagerError(new Dictionary<string, string> { ["code"] = code, ["message"] = message }),
            ResourceManagerJsonContext.Default.ResourceManagerError,
            cancellationToken: context.RequestAborted);
    }
}

/// <summary>The <c>token</c> operation's answer (an endpoint's <c>aml_token</c>).</summary>
internal sealed record AmlTokenBody(
    [property: JsonPropertyName("accessToken")] string AccessToken,
    [property: JsonPropertyName("expiryTimeUtc")] long ExpiryTimeUtc,
    [property: JsonPropertyName("refreshAfterTimeUtc")] long RefreshAfterTimeUtc,
    [property: JsonPropertyName("tokenType")] string TokenType);

/// <summary>A Resource Manager error answer: <c>{"error": {"code", "message"}}</c>.</summary>
internal sealed record ResourceManagerError([property: JsonPropertyName("error")] Dictionary<string, string> Error);

/// <summary>Source-generated JSON for the Resource Manager answers (trim- and AOT-safe).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(AmlTokenBody))]
[JsonSerializable(typeof(ResourceManagerError))]
internal sealed partial class ResourceManagerJsonContext : JsonSerializerContext;
