using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace AzureMl.Emulator;

/// <summary>The checks every service call passes: the service exists, the key is right, the api-version is 2.0.</summary>
internal sealed class ServiceGate(string workspaceId, IReadOnlyDictionary<string, ServiceState> services)
{
    public const string WorkspaceRoute = "ws";
    public const string ServiceRoute = "svc";

    public ServiceState? Find(HttpContext context) =>
        context.GetRouteValue(ServiceRoute) is string id && services.TryGetValue(id, out var state) ? state : null;

    /// <summary>Returns the service, or the error to answer with.</summary>
    public (ServiceState? Service, ServiceError? Error) Check(HttpContext context)
    {
        if (context.GetRouteValue(WorkspaceRoute) is string workspace && !string.Equals(workspace, workspaceId, StringComparison.OrdinalIgnoreCase))
        {
            return (null, new ServiceError(404, "NotFound", "WorkspaceNotFound", $"The workspace '{workspace}' was not found."));
        }

        var service = Find(context);
        if (service is null)
        {
            return (null, new ServiceError(404, "NotFound", "WebServiceNotFound", $"The web service '{context.GetRouteValue(ServiceRoute)}' was not found."));
        }

        if (!IsAuthorized(context.Request.Headers.Authorization.ToString(), service.Service.ApiKey))
        {
            return (null, ServiceError.Unauthorized());
        }

        var versions = context.Request.Query["api-version"];
        if (versions.Count != 1 || !string.Equals(versions[0], "2.0", StringComparison.Ordinal))
        {
            return (null, ServiceError.BadVersion(versions.ToString()));
        }

        return (service, null);
    }

    private static bool IsAuthorized(string header, string apiKey)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(value.Parameter), Encoding.UTF8.GetBytes(apiKey));
    }
}
