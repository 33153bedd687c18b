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

    /// <summary>An Azure ML managed online endpoint's own front (authentication, routing, throttling, timeouts).</summary>
    Endpoint = 4,

    /// <summary>
    /// The model behind an online endpoint (its scoring container): a 424 whose <c>ms-azureml-model-error-*</c>
    /// headers carry the container's status and reason, with the container's own message.
    /// </summary>
    Model = 5,
}
