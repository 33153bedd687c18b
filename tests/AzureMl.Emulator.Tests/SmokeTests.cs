namespace AzureMl.Emulator.Tests;

public class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => typeof(AzureMl.Emulator.Program).Assembly.GetName().Name.Should().Be("AzureMl.Emulator");
}
