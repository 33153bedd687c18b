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

    /// <summary>
    /// The published MurmurHash3 x86_32 test vectors (as listed with the reference implementation's ports): every
    /// tail length (0–3 bytes after the last whole block), zero, all-ones and mixed bytes, and non-zero seeds.
    /// </summary>
    [Theory]
    [InlineData("", 0xFFFFFFFFu, 0x81F16F39u)]
    [InlineData("00000000", 0u, 0x2362F9DEu)]
    [InlineData("000000", 0u, 0x85F0B427u)]
    [InlineData("0000", 0u, 0x30F4C306u)]
    [InlineData("00", 0u, 0x514E28B7u)]
    [InlineData("FFFFFFFF", 0u, 0x76293B50u)]
    [InlineData("21436587", 0u, 0xF55B516Bu)]
    [InlineData("21436587", 0x5082EDEEu, 0x2362F9DEu)]
    [InlineData("214365", 0u, 0x7E4A8634u)]
    [InlineData("2143", 0u, 0xA0F7B07Au)]
    [InlineData("21", 0u, 0x72661CF4u)]
    public void Hash32_PublishedByteVectors_Match(string hex, uint seed, uint expected) =>
        MurmurHash3.Hash32(Convert.FromHexString(hex), seed).Should().Be(expected);

    [Theory]
    [InlineData("a", 0x7FA09EA6u)]
    [InlineData("aa", 0x5D211726u)]
    [InlineData("aaa", 0x283E0130u)]
    [InlineData("aaaa", 0x5A97808Au)]
    [InlineData("ab", 0x74875592u)]
    [InlineData("abc", 0xC84A62DDu)]
    [InlineData("abcd", 0xF0478627u)]
    [InlineData("Hello, world!", 0x24884CBAu)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x2FA826CDu)]
    public void Hash32_PublishedTextVectorsWithSeed_Match(string text, uint expected) =>
        MurmurHash3.Hash32(Encoding.UTF8.GetBytes(text), 0x9747B28Cu).Should().Be(expected);
}
