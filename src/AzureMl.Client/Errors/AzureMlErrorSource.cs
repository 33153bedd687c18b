namespace AzureMl.Client;

/// <summary>Who produced an error answer, judged from the shape of its body.</summary>
public enum AzureMlErrorSource
{
    /// <summary>The body was not recognised: plain text, HTML from a proxy, empty, or malformed JSON.</summary>
    Unknown = 0,

    /// <summary>The Azure ML web service: <c>{"error": {"code": …, "message": …, "details": […]}}</c>.</summary>
    Service = 1,

    /// <summary>An API Management gateway: <c>{"statusCode": …, "message": …}</c>.</summary>
    Gateway = 2,

    /// <summary>No answer was received or the client stopped the request: connection failure or timeout.</summary>
    Transport = 3,
}
