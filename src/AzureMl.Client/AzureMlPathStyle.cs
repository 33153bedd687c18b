namespace AzureMl.Client;

/// <summary>How the web service is addressed below the service root.</summary>
public enum AzureMlPathStyle
{
    /// <summary><c>/workspaces/{workspaceId}/services/{serviceId}</c>: services published from Studio (classic).</summary>
    Workspace = 0,

    /// <summary><c>/subscriptions/{subscriptionId}/services/{serviceId}</c>: services created through Azure Resource Manager.</summary>
    Subscription = 1,
}
