namespace AzureMl.Emulator.Tests;

public class SmokeTests
{
    [Fact]
    public async Task StartAsync_Defaults_ScoresTheWalkthroughCheckVector()
    {
        await using var emulator = await AzureMlEmulator.StartAsync();

        using var response = await emulator.ExecuteAsync(EmulatorHttp.WalkthroughBody, apiKey: emulator.ApiKey);

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        var values = (await response.JsonAsync())["Results"]!["output1"]!["value"]!["Values"]!.AsArray();
        values[0]!.AsArray().Skip(1).Select(v => v!.GetValue<string>()).Should().Equal("0", "1", "1", "2", "1", "0", "2", "0");
    }
}
