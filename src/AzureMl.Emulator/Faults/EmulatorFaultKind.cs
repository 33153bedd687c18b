namespace AzureMl.Emulator;

/// <summary>What an <see cref="EmulatorFault"/> does to a call.</summary>
public enum EmulatorFaultKind
{
    /// <summary>Answers an error status instead of serving the call.</summary>
    Status,

    /// <summary>Waits, then serves the call.</summary>
    Latency,

    /// <summary>Aborts the connection without an answer.</summary>
    Abort,

    /// <summary>Answers 200 with a body that is not valid JSON.</summary>
    MalformedBody,

    /// <summary>Serves the call, then sends only part of its body and aborts the connection.</summary>
    TruncatedBody,

    /// <summary>
    /// Reads the whole request, then closes the connection gracefully (TCP FIN, not a reset) before any byte of an
    /// answer, as a proxy or load balancer does when its backend fails: the caller reads the end of the stream.
    /// </summary>
    CloseWithoutAnswer,
}
