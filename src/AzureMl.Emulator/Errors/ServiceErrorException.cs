namespace AzureMl.Emulator;

/// <summary>Thrown inside the emulator to answer a request with a service error.</summary>
internal sealed class ServiceErrorException(ServiceError error) : Exception(error.DetailMessage)
{
    public ServiceError Error { get; } = error;
}
