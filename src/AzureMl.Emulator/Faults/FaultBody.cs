namespace AzureMl.Emulator;

/// <summary>The body shape of an injected error status.</summary>
public enum FaultBody
{
    /// <summary>The service's error body: <c>{"error":{"code":…,"message":…,"details":[…]}}</c>.</summary>
    Service,

    /// <summary>The API Management gateway's error body: <c>{"statusCode":…,"message":…}</c>.</summary>
    Gateway,

    /// <summary>A plain-text body, as proxies send.</summary>
    Text,

    /// <summary>No body.</summary>
    Empty,

    /// <summary>An HTML error page, as load balancers and proxies send.</summary>
    Html,
}
