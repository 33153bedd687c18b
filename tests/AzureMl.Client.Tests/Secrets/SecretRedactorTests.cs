using AzureMl.Client.Internal;

namespace AzureMl.Client.Tests.Secrets;

public class SecretRedactorTests
{
    [Theory]
    [InlineData("Ocp-Apim-Subscription-Key: abc123SECRET", "Ocp-Apim-Subscription-Key: ***")]
    [InlineData("https://x/y?subscription-key=abc123SECRET&api-version=2.0", "https://x/y?subscription-key=***&api-version=2.0")]
    [InlineData("Authorization: Bearer abc123SECRET", "Authorization: Bearer ***")]
    [InlineData("AccountName=a;AccountKey=abc123SECRET==;", "AccountName=a;AccountKey=***;")]
    [InlineData("blob?sv=2020&sig=abc123SECRET%3D", "blob?sv=2020&sig=***")]
    public void Redact_SecretShapes_AreMasked(string input, string expected)
    {
        SecretRedactor.Redact(input).Should().Be(expected);
    }
}
