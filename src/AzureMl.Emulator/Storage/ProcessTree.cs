using System.Diagnostics;

namespace AzureMl.Emulator;

/// <summary>Stops a child process with everything it started (npm and Node.js start their own).</summary>
internal static class ProcessTree
{
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
