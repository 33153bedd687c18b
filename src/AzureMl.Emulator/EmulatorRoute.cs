namespace AzureMl.Emulator;

/// <summary>The operations of a classic web service and of an online endpoint, as counted and faulted by the emulator.</summary>
public enum EmulatorRoute
{
    /// <summary>Request-response scoring: <c>POST {service}/execute</c>.</summary>
    Execute,

    /// <summary>Batch job submission: <c>POST {service}/jobs</c>.</summary>
    Submit,

    /// <summary>Batch job start: <c>POST {service}/jobs/{id}/start</c>.</summary>
    Start,

    /// <summary>Batch job status: <c>GET {service}/jobs/{id}</c>.</summary>
    Status,

    /// <summary>Batch job delete or cancel: <c>DELETE {service}/jobs/{id}</c>.</summary>
    Delete,

    /// <summary>Online endpoint scoring: <c>POST {root}/onlineEndpoints/{endpoint}/score</c>; counted and faulted per endpoint name.</summary>
    Score,

    /// <summary>An online endpoint's OpenAPI document: <c>GET {root}/onlineEndpoints/{endpoint}/swagger.json</c>.</summary>
    OnlineSwagger,
}
