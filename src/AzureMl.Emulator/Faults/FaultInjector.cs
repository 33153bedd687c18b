using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace AzureMl.Emulator;

/// <summary>Carries out an injected fault on a call.</summary>
internal static class FaultInjector
{
    private static readonly byte[] MalformedJson = "{\"Results\": {\"output1\": [ this is not JSON"u8.ToArray();

    public static async Task ApplyAsync(HttpContext context, EmulatorFault fault, TimeProvider timeProvider, RequestDelegate next)
    {
        switch (fault.Kind)
        {
            case EmulatorFaultKind.Latency:
                await Task.Delay(fault.Delay, timeProvider, context.RequestAborted).ConfigureAwait(false);
                await next(context).ConfigureAwait(false);
                break;
            case EmulatorFaultKind.Abort:
                context.Abort();
                break;
            case EmulatorFaultKind.MalformedBody:
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.Body.WriteAsync(MalformedJson, context.RequestAborted).ConfigureAwait(false);
                break;
            case EmulatorFaultKind.TruncatedBody:
                await TruncateAsync(context, next).ConfigureAwait(false);
                break;
            case EmulatorFaultKind.CloseWithoutAnswer:
                await CloseWithoutAnswerAsync(context).ConfigureAwait(false);
                break;
            default:
                await WriteStatusAsync(context, fault).ConfigureAwait(false);
                break;
        }
    }

    private static async Task WriteStatusAsync(HttpContext context, EmulatorFault fault)
    {
        var response = context.Response;
        if (fault.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        switch (fault.Body)
        {
            case FaultBody.Service:
                var (code, message, detail) = ServiceError.ClassFor(fault.StatusCode);
                await ServiceError.WriteAsync(response, fault.StatusCode, code, message, detail, "The emulator injected this fault.", null, context.RequestAborted).ConfigureAwait(false);
                break;
            case FaultBody.Gateway:
                await GatewayErrors.WriteAsync(response, fault.StatusCode, "The emulator injected this fault.", context.RequestAborted).ConfigureAwait(false);
                break;
            case FaultBody.Text:
                response.StatusCode = fault.StatusCode;
                response.ContentType = "text/plain; charset=utf-8";
                await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"{fault.StatusCode} {ReasonPhrases.GetReasonPhrase(fault.StatusCode)}: the emulator injected this fault."), context.RequestAborted).ConfigureAwait(false);
                break;
            case FaultBody.Html:
                response.StatusCode = fault.StatusCode;
                response.ContentType = "text/html; charset=utf-8";
                var title = $"{fault.StatusCode} {ReasonPhrases.GetReasonPhrase(fault.StatusCode)}";
                await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center></body></html>"), context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                response.StatusCode = fault.StatusCode;
                response.ContentLength = 0;
                break;
        }
    }

    private static async Task CloseWithoutAnswerAsync(HttpContext context)
    {
        // The whole request is read first: closing a socket with unread bytes makes the kernel send a reset, not a FIN.
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);

        // Kestrel writes nothing until the app does, so shutting down the send side now sends a FIN and no answer byte.
        // Abort then stops Kestrel from writing the default answer into the closed side.
        context.Features.Get<IConnectionSocketFeature>()?.Socket.Shutdown(SocketShutdown.Send);
        context.Abort();
    }

    private static async Task TruncateAsync(HttpContext context, RequestDelegate next)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        var length = Math.Max(body.Length, 32);
        context.Response.ContentLength = length;
        await original.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted).ConfigureAwait(false);
        await original.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        context.Abort();
    }
}
