using Microsoft.AspNetCore.Connections;

namespace AzureMl.Emulator;

/// <summary>Tells a caller that went away (aborted, reset, or closed mid-body) from a failure of the emulator.</summary>
internal static class CallerGone
{
    // Kestrel's text for a body that ended before its Content-Length (RequestRejectionReason.UnexpectedEndOfRequestContent, internal).
    private const string UnexpectedEnd = "Unexpected end of request content";

    public static bool WentAway(HttpContext context, Exception exception)
    {
        // Once the request is aborted every exception of the call is a consequence of it.
        if (context.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ConnectionResetException or ConnectionAbortedException:
                    return true;

                // The body stopped short because the connection closed: Kestrel raises this before it fires
                // RequestAborted. With a Content-Length body it is the only 400 the body reader raises.
                case BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad
                    when context.Request.ContentLength is not null || bad.Message.StartsWith(UnexpectedEnd, StringComparison.Ordinal):
                    return true;
                case IOException { InnerException: ConnectionResetException or ConnectionAbortedException }:
                    return true;
            }
        }

        return false;
    }
}
