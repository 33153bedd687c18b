namespace AzureMl.Emulator;

/// <summary>Endpoint metadata naming the service operation an endpoint serves.</summary>
internal sealed record RouteTag(EmulatorRoute Route);
