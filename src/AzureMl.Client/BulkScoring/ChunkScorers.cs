using AzureMl.Client.OnlineEndpoints;

namespace AzureMl.Client.Internal;

/// <summary>One chunk of a bulk run: its rows' range, and its JSON request body or its table.</summary>
internal readonly record struct Chunk(long FirstRow, int Count, ChunkBody? Body, ScoringTable? Table);

/// <summary>
/// What a bulk run needs from the service it scores against: how a chunk's body is laid out, and a way to score one
/// chunk. The seam between the bulk engine and the clients; the engine knows no client type.
/// </summary>
internal interface IChunkScorer
{
    /// <summary>The protocol's table envelope: chunk bodies are written in it, and table chunks measured by it.</summary>
    TableEnvelope Envelope { get; }

    /// <summary>Whether chunks are sent as written bodies (<see cref="Chunk.Body"/>) rather than tables.</summary>
    bool TakesBodies { get; }

    /// <summary>
    /// Whether the run owns retries of the service's answers (the client's pipeline leaves them to it), so a throttled
    /// answer reaches the run's concurrency limiter once, not after the pipeline's own retries.
    /// </summary>
    bool RunRetriesAnswers { get; }

    /// <summary>Whether a 408 answer may be sent again (not for an online endpoint, whose model may still be working).</summary>
    bool RetriesTimeouts { get; }

    /// <summary>The call duration chunks are sized for when the options give none (<see langword="null"/>: fixed size).</summary>
    TimeSpan? DefaultTargetCallDuration { get; }

    /// <summary>The clock for waits when the options give none.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Scores one chunk; failures are <see cref="AzureMlException"/>.</summary>
    Task<ScoringOutput> ScoreAsync(Chunk chunk, CancellationToken cancellationToken);
}

/// <summary>A client of this package that scores bulk chunks by its own, internal path.</summary>
internal interface IBulkScoringSource
{
    /// <summary>A scorer for one run over <paramref name="columns"/>.</summary>
    IChunkScorer CreateChunkScorer(string[] columns, BulkScoringOptions options);
}

/// <summary>The classic service through <see cref="AzureMlClient"/>: bodies written from the rows, answers retried by the run.</summary>
internal sealed class ClassicChunkScorer(AzureMlClient client, string[] columns, BulkScoringOptions options) : IChunkScorer
{
    private readonly ClassicTableEnvelope _envelope = new(options.InputName, columns, options.GlobalParameters);

    public TableEnvelope Envelope => _envelope;

    public bool TakesBodies => true;

    public bool RunRetriesAnswers => true;

    public bool RetriesTimeouts => true;

    public TimeSpan? DefaultTargetCallDuration => null;

    public TimeProvider TimeProvider => client.TimeProvider;

    public async Task<ScoringOutput> ScoreAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        var result = await client.ExecuteChunkAsync(chunk.Body!.CreateContent(_envelope.ContentType), chunk.Count, cancellationToken).ConfigureAwait(false);
        return options.OutputName is null ? result.DefaultOutput : result.GetOutput(options.OutputName);
    }
}

/// <summary>Any other <see cref="IAzureMlClient"/>: a <see cref="ScoringRequest"/> per chunk through its public <c>ExecuteAsync</c>.</summary>
internal sealed class InterfaceChunkScorer(IAzureMlClient client, string[] columns, BulkScoringOptions options) : IChunkScorer
{
    private static readonly ScoringOptions WithDetails = new() { Details = true };
    private readonly KeyValuePair<string, string>[] _parameters = [.. options.GlobalParameters];

    public TableEnvelope Envelope { get; } = new ClassicTableEnvelope(options.InputName, columns, options.GlobalParameters);

    public bool TakesBodies => false;

    public bool RunRetriesAnswers => false;

    public bool RetriesTimeouts => false;

    public TimeSpan? DefaultTargetCallDuration => null;

    public TimeProvider TimeProvider => TimeProvider.System;

    public async Task<ScoringOutput> ScoreAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        var request = new ScoringRequest();
        request.Inputs[options.InputName] = chunk.Table!;
        foreach (var (name, value) in _parameters)
        {
            request.GlobalParameters[name] = value;
        }

        var result = await client.ExecuteAsync(request, WithDetails, cancellationToken).ConfigureAwait(false);
        return options.OutputName is null ? result.DefaultOutput : result.GetOutput(options.OutputName);
    }
}

/// <summary>An online endpoint through <see cref="OnlineEndpointClient"/>: MLflow bodies written from the rows, answers retried by the run.</summary>
internal sealed class OnlineChunkScorer(OnlineEndpointClient client, string[] columns, BulkScoringOptions options) : IChunkScorer
{
    /// <summary>A fifth of an endpoint's default request timeout (5 s), so a slower call still ends well inside it.</summary>
    internal static readonly TimeSpan DefaultTarget = TimeSpan.FromSeconds(1);

    private readonly MlflowTableEnvelope _envelope = new(columns, options.OnlineScoring?.Parameters);

    public TableEnvelope Envelope => _envelope;

    public bool TakesBodies => true;

    public bool RunRetriesAnswers => true;

    public bool RetriesTimeouts => false;

    public TimeSpan? DefaultTargetCallDuration => DefaultTarget;

    public TimeProvider TimeProvider => client.TimeProvider;

    public Task<ScoringOutput> ScoreAsync(Chunk chunk, CancellationToken cancellationToken) =>
        client.ScoreChunkAsync(chunk.Body!.CreateContent(_envelope.ContentType), chunk.Count, options.OnlineScoring, cancellationToken);
}

/// <summary>Any other <see cref="IOnlineEndpointClient"/>: a table per chunk through its public <c>ScoreAsync</c>.</summary>
internal sealed class OnlineInterfaceChunkScorer(IOnlineEndpointClient client, string[] columns, BulkScoringOptions options) : IChunkScorer
{
    public TableEnvelope Envelope { get; } = new MlflowTableEnvelope(columns, null);

    public bool TakesBodies => false;

    public bool RunRetriesAnswers => false;

    public bool RetriesTimeouts => false;

    public TimeSpan? DefaultTargetCallDuration => OnlineChunkScorer.DefaultTarget;

    public TimeProvider TimeProvider => TimeProvider.System;

    public Task<ScoringOutput> ScoreAsync(Chunk chunk, CancellationToken cancellationToken) =>
        client.ScoreAsync(chunk.Table!, options.OnlineScoring, cancellationToken);
}
