using Azure.Core;

namespace AzureMl.Emulator;

/// <summary>
/// A <see cref="Azure.Core.TokenCredential"/> whose tokens the emulator accepts: pass it where your app takes a
/// credential (<c>UseEntraCredential</c>) to test Microsoft Entra authentication against
/// <see cref="OnlineEndpointAuthMode.EntraToken"/> endpoints, or the emulated control plane (scope
/// <c>https://management.azure.com/.default</c>). Get it from <see cref="AzureMlEmulator.TokenCredential"/>.
/// </summary>
public sealed class EmulatorTokenCredential : TokenCredential
{
    private readonly EmulatorTokenIssuer _issuer;
    private int _requests;

    internal EmulatorTokenCredential(EmulatorTokenIssuer issuer) => _issuer = issuer;

    /// <summary>Gets how many tokens this credential has handed out, to check that a caller caches them.</summary>
    public int TokenRequests => Volatile.Read(ref _requests);

    /// <inheritdoc/>
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        if (requestContext.Scopes is not [var scope])
        {
            throw new ArgumentException("Ask for exactly one scope, such as https://ml.azure.com/.default.", nameof(requestContext));
        }

        Interlocked.Increment(ref _requests);
        var (token, expiresOn) = _issuer.Issue(EmulatorTokenIssuer.AudienceOf(scope));
        return new AccessToken(token, expiresOn);
    }

    /// <inheritdoc/>
    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    /// <inheritdoc/>
    public override string ToString() => "EmulatorTokenCredential";
}
