namespace AzureMl.Client.Batch;

/// <summary>The data a one-call batch run uploads: a stream or a file. Read once, streamed, never buffered whole.</summary>
public sealed class BatchJobInput
{
    private readonly Stream? _stream;
    private readonly string? _path;

    private BatchJobInput(Stream? stream, string? path)
    {
        _stream = stream;
        _path = path;
    }

    /// <summary>A description of the input: the file path, or <c>(stream)</c>.</summary>
    public string Description => _path ?? "(stream)";

    /// <summary>Uses <paramref name="stream"/>, read from its current position; it is left open.</summary>
    /// <param name="stream">A readable stream, e.g. of a CSV with a header row.</param>
    /// <returns>The input.</returns>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    public static BatchJobInput FromStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The input stream must be readable.", nameof(stream));
        }

        return new BatchJobInput(stream, null);
    }

    /// <summary>Uses the file at <paramref name="path"/>, opened when the run starts.</summary>
    /// <param name="path">The file path, e.g. of a CSV with a header row.</param>
    /// <returns>The input.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static BatchJobInput FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new BatchJobInput(null, Path.GetFullPath(path));
    }

    /// <summary>Opens the data; the caller disposes the result only when <paramref name="owned"/> is set.</summary>
    internal Stream Open(out bool owned)
    {
        if (_stream is not null)
        {
            owned = false;
            return _stream;
        }

        owned = true;
        return new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }
}
