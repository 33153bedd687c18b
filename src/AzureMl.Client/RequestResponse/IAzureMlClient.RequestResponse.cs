using System.Diagnostics.CodeAnalysis;
namespace AzureMl.Client;

/// <summary>Request-response scoring (RRS): <c>POST {service}/execute</c>.</summary>
public partial interface IAzureMlClient
{
    /// <summary>Scores input tables (table form) and returns every output table.</summary>
    /// <param name="request">The input tables by port name and the web service parameters.</param>
    /// <param name="options">Per-call settings; <see langword="null"/> for the defaults (with details).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The output tables by name.</returns>
    /// <exception cref="ArgumentException">The request is unusable (no inputs, no rows, bad names); nothing was sent.</exception>
    /// <exception cref="AzureMlException">The service or gateway refused the call, or answered with a body that is not a scoring result.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    Task<ScoringResult> ExecuteAsync(ScoringRequest request, ScoringOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Scores one table sent to <c>input1</c> and returns the first output (<c>output1</c>), with column names and types.</summary>
    /// <param name="input">The input table.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The output table.</returns>
    /// <exception cref="ArgumentException">The table has no rows; nothing was sent.</exception>
    /// <exception cref="AzureMlException">The service or gateway refused the call, or answered with a body that is not a scoring result.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    Task<ScoringOutput> ExecuteAsync(ScoringTable input, CancellationToken cancellationToken = default);

    /// <summary>Scores rows given as objects (<c>format=swagger</c>) and returns every output's rows.</summary>
    /// <param name="request">The input rows by port name and the web service parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The output rows by output name.</returns>
    /// <exception cref="ArgumentException">The request is unusable (no inputs, no rows, bad names); nothing was sent.</exception>
    /// <exception cref="AzureMlException">The service or gateway refused the call, or answered with a body that is not a scoring result.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    Task<SwaggerScoringResult> ExecuteSwaggerAsync(SwaggerScoringRequest request, CancellationToken cancellationToken = default);

    /// <summary>Scores rows given as objects, sent to <c>input1</c>, and returns the rows of the first output (<c>output1</c>).</summary>
    /// <param name="rows">The rows, each a map of column name to value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The output rows.</returns>
    /// <exception cref="ArgumentException">There are no rows, or a row is unusable; nothing was sent.</exception>
    /// <exception cref="AzureMlException">The service or gateway refused the call, or answered with a body that is not a scoring result.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their first parameter; each reads naturally with a default token.")]
    Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> ExecuteSwaggerAsync(IEnumerable<IReadOnlyDictionary<string, string?>> rows, CancellationToken cancellationToken = default);
}
