using AzureMl.Client.Internal;
using AzureMl.Client.Telemetry;

namespace AzureMl.Client.Resilience;

/// <summary>
/// Reads every answer body the client will read inside the attempt: success bodies of execute, submit and status
/// whole, error bodies up to 64 KiB. So the attempt timeout and the total budget cover each body, a body that
/// breaks off is a transient failure the pipeline may retry (for operations safe to repeat), and nothing the
/// client reads after the pipeline can stall.
/// </summary>
internal sealed class ResponseBufferingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(AzureMlTelemetry.State, out var state);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Lets the client tell "nothing was sent" from "it may have been" when the budget ends between attempts.
            state?.AttemptEnded(AzureMlResiliencePipeline.IsNotSent(ex));
            throw;
        }

        state?.AttemptEnded(provablyNotSent: false);
        if (!AzureMlRequestOptions.TryGetOperation(request, out var operation))
        {
            return response;
        }

        try
        {
            // Into a pooled buffer that the scoring parser takes over, so the body is held once, not copied.
            await AnswerBody.BufferAsync(response, operation, 0, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
