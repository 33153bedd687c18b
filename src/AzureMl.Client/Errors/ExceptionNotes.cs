using Azure;
using AzureMl.Client.Batch;

namespace AzureMl.Client;

/// <summary>The one way to add a sentence to an exception's message without losing its type or properties.</summary>
internal static class ExceptionNotes
{
    /// <summary>
    /// Returns the exception to throw with <paramref name="note"/> appended to its message: the same object for the SDK's
    /// own exceptions (their message takes notes; stack trace and properties stay), a copy with the same status and error
    /// code for a storage <see cref="RequestFailedException"/> (the original becomes its inner exception), and the same
    /// object, message unchanged, for any other type.
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
            case RequestFailedException storage:
                var copy = new RequestFailedException(storage.Status, storage.Message + note, storage.ErrorCode, storage);
                foreach (System.Collections.DictionaryEntry entry in storage.Data)
                {
                    copy.Data[entry.Key] = entry.Value;
                }

                return copy;
            default:
                return exception;
        }
    }
}
