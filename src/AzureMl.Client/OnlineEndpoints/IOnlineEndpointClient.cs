using System.Text.Json;

namespace AzureMl.Client.OnlineEndpoints;

/// <summary>
/// Scores on one Azure ML managed online endpoint (<c>POST …/score</c>), directly or through API Management. The
/// same resilience, gateway keys, telemetry and error type as the classic client.
/// </summary>
public interface IOnlineEndpointClient
{
    /// <summary>The scoring URI this client sends to.</summary>
    Uri ScoringUri { get; }

    /// <summary>
    /// Scores a table on an MLflow deployment: the rows go out as <c>input_data</c> in split orientation
    /// (<c>columns</c>, <c>index</c>, <c>data</c>; numbers and booleans added with <see cref="ScoringTable.AddRow"/>
    /// as JSON numbers and booleans), and the answer (a bare array, rows as arrays or objects, or an object of
    /// columns) comes back as one output with typed cell reads.
    /// </summary>
    /// <param name="input">The rows; at least one.</param>
    /// <param name="options">Inference <c>params</c> and a per-call deployment; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The predictions, one row per input row as the model returns them.</returns>
    /// <exception cref="ArgumentException">The table has no rows, or a parameter name is empty.</exception>
    /// <exception cref="AzureMlException">The endpoint, the gateway or the model refused or failed, or the answer is not a prediction table.</exception>
    Task<ScoringOutput> ScoreAsync(ScoringTable input, OnlineScoringOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a JSON body as it is (a custom <c>score.py</c> deployment) and returns the answer's JSON, with the same
    /// retries, errors and telemetry. A JSON string holding JSON (a script returning <c>json.dumps(…)</c>) is returned
    /// as what it holds.
    /// </summary>
    /// <param name="body">The UTF-8 JSON request body.</param>
    /// <param name="options">A per-call deployment; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer's JSON.</returns>
    /// <exception cref="ArgumentException">The body is empty.</exception>
    /// <exception cref="AzureMlException">The call failed, or the answer is not JSON.</exception>
    Task<JsonElement> ScoreJsonAsync(ReadOnlyMemory<byte> body, OnlineScoringOptions? options = null, CancellationToken cancellationToken = default);
}
