using WireMock.Server;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>One loopback WireMock server per test class; tests reset it before use.</summary>
public sealed class WireMockFixture : IDisposable
{
    public WireMockServer Server { get; } = WireMockServer.Start();

    public void Dispose() => Server.Stop();
}
