using Azure;
using AzureMl.Client.Batch;

namespace AzureMl.Client;

/// <summary>The one way to add a sentence to an exception's message without losing its type or properties.</summary>
internal static class ExceptionNotes
{
    /// <summary>
    /// Returns the exception to throw with <paramref name="note"/> appended to its message: the same object for the SDK's
    /// own exceptions and for a storage failure the SDK explained (their message takes notes; stack trace and properties
    /// stay); for any other storage <see cref="RequestFailedException"/>, one that takes notes with the same status and
    /// error code, wrapping the original as its inner exception (nothing is copied by hand); and the same object, message
    /// unchanged, for any other type.
    /// </summary>
    public static Exception Append(Exception exception, string note)
    {
        if (string.IsNullOrEmpty(note))
        {
            return exception;
        }

        switch (exception)
        {
            case AzureMlException ml:
                ml.AppendNote(note);
                return ml;
            case BatchJobFailedException failed:
                failed.AppendNote(note);
                return failed;
            case NotedRequestFailedException noted:
                noted.AppendNote(note);
                return noted;
            case RequestFailedException storage:
                var wrapped = new NotedRequestFailedException(storage.Status, storage.Message, storage.ErrorCode, storage);
                wrapped.AppendNote(note);
                return wrapped;
            default:
                return exception;
        }
    }
}

/// <summary>
/// A storage failure whose message takes notes (<see cref="ExceptionNotes.Append"/>): thrown as a
/// <see cref="RequestFailedException"/>, with the storage client's exception as its inner exception.
/// </summary>
internal sealed class NotedRequestFailedException(int status, string message, string? errorCode, Exception innerException)
    : RequestFailedException(status, message, errorCode, innerException)
{
    private string? _note;

    /// <inheritdoc />
    public override string Message => _note is null ? base.Message : base.Message + _note;

    /// <summary>Appends <paramref name="note"/> to the message; every other property stays. Use <see cref="ExceptionNotes.Append"/>.</summary>
    internal void AppendNote(string note) => _note += note;
}
