using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace AzureMl.Emulator;

/// <summary>
/// The checks every classic service call passes before its handler runs: the workspace and the service exist, the key
/// is right, the api-version is 2.0. Applied to the service routes as an endpoint filter; a call that fails a check is
/// answered with the service's error and never reaches the handler, which finds its service with <see cref="Admitted"/>.
/// </summary>
internal sealed class ServiceGateFilter(string workspaceId, IReadOnlyDictionary<string, ServiceState> services) : IEndpointFilter
{
    public const string WorkspaceRoute = "ws";
    public const string ServiceRoute = "svc";

    public ServiceState? Find(HttpContext context) =>
        context.GetRouteValue(ServiceRoute) is string id && services.TryGetValue(id, out var state) ? state : null;

    /// <summary>The service a call was admitted to; only for handlers on routes behind this filter.</summary>
    public static ServiceState Admitted(HttpContext context) =>
        context.Features.Get<ServiceState>() ?? throw new InvalidOperationException("The route is not behind the service gate.");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var (service, error) = Check(http);
        if (service is null)
        {
            await error!.WriteAsync(http).ConfigureAwait(false);
            return Results.Empty;
        }

        http.Features.Set(service);
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>Returns the service, or the error to answer with.</summary>
    private (ServiceState? Service, ServiceError? Error) Check(HttpContext context)
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
