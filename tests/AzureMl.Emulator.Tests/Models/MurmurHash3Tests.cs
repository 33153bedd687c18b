using System.Text;

namespace AzureMl.Emulator.Tests.Models;

public class MurmurHash3Tests
{
    [Theory]
    [InlineData("", 0u, 0u)]
    [InlineData("", 1u, 0x514E28B7u)]
    [InlineData("hello", 0u, 0x248BFA47u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0u, 0x2E4FF723u)]
    public void Hash32_CheckValue_Matches(string text, uint seed, uint expected) =>
        MurmurHash3.Hash32(Encoding.UTF8.GetBytes(text), seed).Should().Be(expected);

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc")]
    [InlineData("abcd")]
    [InlineData("abcde")]
    public void Hash32_EveryTailLength_IsDeterministic(string text) =>
        MurmurHash3.Hash32(Encoding.UTF8.GetBytes(text), 0).Should().Be(MurmurHash3.Hash32(Encoding.UTF8.GetBytes(text), 0));
}
