namespace AzureMl.Emulator;

internal static class Program
{
    public static int Main() => 0;
}
