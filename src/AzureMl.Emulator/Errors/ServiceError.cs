using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>An error the classic service answers with: HTTP status, class code, detail code and message.</summary>
internal sealed class ServiceError(int status, string code, string detailCode, string detailMessage, string? target = null)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string DetailCode { get; } = detailCode;

    public string DetailMessage { get; } = detailMessage;

    public string? Target { get; } = target;

    public static ServiceError BadArgument(string detail, string message, string? target = null) =>
        new(StatusCodes.Status400BadRequest, "BadArgument", detail, message, target);

    public static ServiceError BadUserArgument(string detail, string message, string? target = null) =>
        new(StatusCodes.Status400BadRequest, "BadUserArgument", detail, message, target);

    public static ServiceError Unauthorized() =>
        new(StatusCodes.Status401Unauthorized, "Unauthorized", "ScoreRequestUnauthorized", "Invalid credentials provided.");

    public static ServiceError BadVersion(string? version) =>
        BadArgument("BadVersionCall", $"Invalid api-version '{version}': the only supported version is 2.0.");

    public static ServiceError RequestBodyInvalid(string why) => BadArgument("RequestBodyInvalid", why);

    /// <summary>The class code and message the service uses for an HTTP status.</summary>
    public static (string Code, string Message, string Detail) ClassFor(int status) => status switch
    {
        400 => ("BadArgument", "Invalid argument provided.", "RequestBodyInvalid"),
        401 => ("Unauthorized", "Unauthorized access.", "ScoreRequestUnauthorized"),
        404 => ("NotFound", "Resource not found.", "WebServiceNotFound"),
        408 => ("RequestTimeout", "Request timed out.", "ScoreRequestTimeout"),
        413 => ("MemoryQuotaViolation", "Memory quota violation.", "OutOfMemoryLimit"),
        503 => ("ServiceUnavailable", "Service is temporarily unavailable.", "NoMoreResources"),
        504 => ("GatewayTimeout", "The request timed out at the gateway.", "BackendScoreTimeout"),
        >= 500 => ("InternalError", "The server encountered an internal error.", "InternalError"),
        _ => ("BadArgument", "Invalid argument provided.", "RequestBodyInvalid"),
    };

    public Task WriteAsync(HttpContext context) =>
        WriteAsync(context.Response, Status, Code, ClassMessage(Code), DetailCode, DetailMessage, Target, context.RequestAborted);

    public static async Task WriteAsync(
        HttpResponse response, int status, string code, string message, string detailCode, string detailMessage, string? target, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteStartArray("details");
            writer.WriteStartObject();
            writer.WriteString("code", detailCode);
            if (target is not null)
            {
                writer.WriteString("target", target);
            }

            writer.WriteString("message", detailMessage);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ClassMessage(string code) => code switch
    {
        "BadArgument" or "BadUserArgument" => "Invalid argument provided.",
        "Unauthorized" => "Unauthorized access.",
        "NotFound" => "Resource not found.",
        "InvalidOperation" => "The operation is not valid in the current state.",
        "ServiceUnavailable" => "Service is temporarily unavailable.",
        "RequestTimeout" => "Request timed out.",
        _ => "The request failed.",
    };
}
