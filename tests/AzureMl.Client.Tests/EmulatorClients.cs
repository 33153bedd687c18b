using AzureMl.Emulator;

namespace AzureMl.Client.Tests;

/// <summary>Clients bound to a running emulator, for the tests that score or run jobs against it.</summary>
internal static class EmulatorClients
{
    public static AzureMlClientOptions Options(AzureMlEmulator emulator, string? serviceId = null, string? apiKey = null) => new()
    {
        Endpoint = emulator.ServiceRoot,
        WorkspaceId = emulator.WorkspaceId,
        ServiceId = serviceId ?? emulator.ServiceId,
        ApiKey = apiKey ?? emulator.ApiKey,
    };

    public static AzureMlClient Create(AzureMlEmulator emulator, HttpClient? http = null, TimeProvider? timeProvider = null, string? serviceId = null, string? apiKey = null) =>
        new(http ?? new HttpClient(), Options(emulator, serviceId, apiKey), timeProvider);
}
