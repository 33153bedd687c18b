namespace AzureMl.Client.Tests;

public class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => typeof(Placeholder).Assembly.GetName().Name.Should().Be("AzureMl.Client");
}
