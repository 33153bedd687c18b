namespace AzureMl.Emulator;

/// <summary>A fault to inject into the next calls of a route; build one with the static factories.</summary>
public sealed class EmulatorFault
{
    private int _remaining;

    private EmulatorFault(EmulatorFaultKind kind, int times)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        Kind = kind;
        Times = times;
        _remaining = times;
    }

    /// <summary>Gets what the fault does.</summary>
    public EmulatorFaultKind Kind { get; }

    /// <summary>Gets how many calls the fault applies to.</summary>
    public int Times { get; }

    /// <summary>Gets how many calls the fault still applies to.</summary>
    public int Remaining => Math.Max(0, Volatile.Read(ref _remaining));

    /// <summary>Gets the status code of a <see cref="EmulatorFaultKind.Status"/> fault.</summary>
    public int StatusCode { get; private init; }

    /// <summary>Gets the <c>Retry-After</c> a status fault sends, if any.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Gets the body shape of a status fault.</summary>
    public FaultBody Body { get; private init; }

    /// <summary>Gets the delay of a <see cref="EmulatorFaultKind.Latency"/> fault.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>Answers the next calls with an error status.</summary>
    /// <param name="statusCode">The HTTP status, 400 to 599.</param>
    /// <param name="times">How many calls; default 1.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> to send, in whole seconds; default none.</param>
    /// <param name="body">The body shape; default <see cref="FaultBody.Service"/>.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault Status(int statusCode, int times = 1, TimeSpan? retryAfter = null, FaultBody body = FaultBody.Service)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (retryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "Retry-After cannot be negative.");
        }

        return new EmulatorFault(EmulatorFaultKind.Status, times) { StatusCode = statusCode, RetryAfter = retryAfter, Body = body };
    }

    /// <summary>Delays the next calls (on the emulator's <see cref="TimeProvider"/>), then serves them.</summary>
    /// <param name="delay">The added latency.</param>
    /// <param name="times">How many calls; default 1.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault Latency(TimeSpan delay, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new EmulatorFault(EmulatorFaultKind.Latency, times) { Delay = delay };
    }

    /// <summary>Aborts the connection of the next calls before answering; the caller may see a reset (RST).</summary>
    /// <param name="times">How many calls; default 1.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault Abort(int times = 1) => new(EmulatorFaultKind.Abort, times);

    /// <summary>
    /// Reads the whole request of the next calls, then closes their connection gracefully (TCP FIN, not a reset) before
    /// any byte of an answer: the caller's read returns the end of the stream, with no status line. The call is not
    /// served, so nothing was done; unlike <see cref="Abort"/>, which resets the connection.
    /// </summary>
    /// <param name="times">How many calls; default 1.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault CloseWithoutAnswer(int times = 1) => new(EmulatorFaultKind.CloseWithoutAnswer, times);

    /// <summary>Answers the next calls 200 with a JSON content type and a body that does not parse.</summary>
    /// <param name="times">How many calls; default 1.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault MalformedBody(int times = 1) => new(EmulatorFaultKind.MalformedBody, times);

    /// <summary>Serves the next calls but cuts their body short and aborts the connection.</summary>
    /// <param name="times">How many calls; default 1.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault TruncatedBody(int times = 1) => new(EmulatorFaultKind.TruncatedBody, times);

    /// <inheritdoc/>
    public override string ToString() => Kind == EmulatorFaultKind.Status
        ? $"Status {StatusCode} ({Remaining}/{Times} left)"
        : $"{Kind} ({Remaining}/{Times} left)";

    internal bool TryTake() => Interlocked.Decrement(ref _remaining) >= 0;
}
