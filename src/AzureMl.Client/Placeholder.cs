namespace AzureMl.Client;

/// <summary>Marker.</summary>
public static class Placeholder
{
}
