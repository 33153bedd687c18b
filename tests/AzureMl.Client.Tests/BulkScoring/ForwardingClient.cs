using AzureMl.Client.Batch;

namespace AzureMl.Client.Tests.BulkScoring;

/// <summary>
/// An <see cref="IAzureMlClient"/> that is not an <see cref="AzureMlClient"/> (as a user's decorator would be): bulk
/// scoring through it builds a <see cref="ScoringRequest"/> per chunk instead of writing the body itself.
/// </summary>
public sealed class ForwardingClient(IAzureMlClient inner) : IAzureMlClient
{
    public int TableCalls { get; private set; }

    public Uri ServiceUri => inner.ServiceUri;

    public Task<ScoringResult> ExecuteAsync(ScoringRequest request, ScoringOptions? options = null, CancellationToken cancellationToken = default)
    {
        TableCalls++;
        return inner.ExecuteAsync(request, options, cancellationToken);
    }

    public Task<ScoringOutput> ExecuteAsync(ScoringTable input, CancellationToken cancellationToken = default) => inner.ExecuteAsync(input, cancellationToken);

    public Task<SwaggerScoringResult> ExecuteSwaggerAsync(SwaggerScoringRequest request, CancellationToken cancellationToken = default) => inner.ExecuteSwaggerAsync(request, cancellationToken);

    public Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> ExecuteSwaggerAsync(IEnumerable<IReadOnlyDictionary<string, string?>> rows, CancellationToken cancellationToken = default) =>
        inner.ExecuteSwaggerAsync(rows, cancellationToken);

    public Task<string> SubmitJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default) => inner.SubmitJobAsync(request, cancellationToken);

    public Task StartJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.StartJobAsync(jobId, cancellationToken);

    public Task<BatchJobStatus> GetJobStatusAsync(string jobId, CancellationToken cancellationToken = default) => inner.GetJobStatusAsync(jobId, cancellationToken);

    public Task<bool> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.DeleteJobAsync(jobId, cancellationToken);

    public Task<BatchJobOperation> SubmitAndStartJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default) => inner.SubmitAndStartJobAsync(request, cancellationToken);

    public BatchJobOperation GetBatchJob(string jobId) => inner.GetBatchJob(jobId);
}
