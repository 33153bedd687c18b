using System.Globalization;
using System.Net;

namespace AzureMl.Client.Internal;

/// <summary>
/// Reads an answer's body into memory where a time budget still applies (inside an attempt, or under the call's
/// deadline), so nothing read after the pipeline can stall: the content is replaced by the buffered bytes.
/// </summary>
internal static class AnswerBody
{
    /// <summary>How much of an error body is kept: enough for any service or gateway error, bounded for proxies' pages.</summary>
    public const int MaxErrorBytes = 64 * 1024;

    /// <summary>Whether <paramref name="response"/>'s content is already in memory.</summary>
    public static bool IsBuffered(HttpResponseMessage response) => response.Content is PooledBodyContent;

    /// <summary>
    /// Whether the client reads the body of a successful <paramref name="operation"/> answer: a start or a delete is
    /// complete with its status line, so its body is never waited for.
    /// </summary>
    public static bool ReadsSuccessBody(AzureMlOperation operation) =>
        operation is AzureMlOperation.Execute or AzureMlOperation.SubmitJob or AzureMlOperation.GetJobStatus or AzureMlOperation.Score;

    /// <summary>
    /// Buffers the body the client will read: a success body whole (for operations that read one), an error body up
    /// to <see cref="MaxErrorBytes"/>. An error body that breaks off is kept as far as it came: the status still says
    /// what failed. A success body that breaks off throws <see cref="AnswerBodyException"/>; one that is cancelled
    /// (a timeout or the caller) throws <see cref="OperationCanceledException"/> saying what was being read.
    /// </summary>
    public static async Task BufferAsync(HttpResponseMessage response, AzureMlOperation operation, int sizeHint, CancellationToken cancellationToken)
    {
        if (IsBuffered(response))
        {
            return;
        }

        var success = response.IsSuccessStatusCode;
        if (success && !ReadsSuccessBody(operation))
        {
            return;
        }

        var original = response.Content;
        PooledBody body;
        try
        {
            body = await PooledBody.ReadAsync(original, cancellationToken, sizeHint, success ? int.MaxValue : MaxErrorBytes).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            throw new OperationCanceledException($"it was cancelled while {Describe(response)} was being read", ex, ex.CancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            if (success)
            {
                throw new AnswerBodyException($"the connection broke while {Describe(response)} was being read", (int)response.StatusCode, ex);
            }

            // The status says what failed; the error body is reported as absent.
            response.Content = new PooledBodyContent(null, original);
            original.Dispose();
            return;
        }

        response.Content = new PooledBodyContent(body, original);
        original.Dispose();
    }

    /// <summary>
    /// The error body an error reader parses: taken over from the buffer the attempt read it into (no copy), or, for a
    /// body nobody buffered, read up to <see cref="MaxErrorBytes"/>; a body that breaks off is reported as far as it came.
    /// </summary>
    public static async Task<PooledBody> TakeErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await BufferAsync(response, AzureMlOperation.Execute, 0, cancellationToken).ConfigureAwait(false);
        return await PooledBody.ReadAsync(response.Content, cancellationToken, 0, MaxErrorBytes).ConfigureAwait(false);
    }

    /// <summary>"the 200 answer's body (100 bytes)" — what was being read, for messages.</summary>
    public static string Describe(HttpResponseMessage response)
    {
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        return response.Content.Headers.ContentLength is { } length
            ? $"the {status} answer's body ({length.ToString(CultureInfo.InvariantCulture)} bytes)"
            : $"the {status} answer's body (chunked)";
    }
}

/// <summary>A success answer's body broke off while it was read: the status arrived, the answer did not.</summary>
internal sealed class AnswerBodyException(string message, int status, Exception innerException)
    : HttpRequestException(HttpRequestError.ResponseEnded, message, innerException, (HttpStatusCode)status)
{
}
