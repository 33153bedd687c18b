using System.Text.Json;
using AzureMl.Client.Batch;

namespace AzureMl.Client.Tests.Batch;

public class BatchModelTests
{
    [Theory]
    [InlineData("\"NotStarted\"", BatchJobState.NotStarted)]
    [InlineData("\"Running\"", BatchJobState.Running)]
    [InlineData("\"Failed\"", BatchJobState.Failed)]
    [InlineData("\"Cancelled\"", BatchJobState.Cancelled)]
    [InlineData("\"Finished\"", BatchJobState.Finished)]
    [InlineData("\"finished\"", BatchJobState.Finished)]
    [InlineData("\"NOTSTARTED\"", BatchJobState.NotStarted)]
    [InlineData("\"rUnNiNg\"", BatchJobState.Running)]
    [InlineData("0", BatchJobState.NotStarted)]
    [InlineData("1", BatchJobState.Running)]
    [InlineData("2", BatchJobState.Failed)]
    [InlineData("3", BatchJobState.Cancelled)]
    [InlineData("4", BatchJobState.Finished)]
    [InlineData("\"4\"", BatchJobState.Finished)]
    public void StateConverter_KnownNameOrNumber_Parses(string json, BatchJobState expected)
    {
        var body = JsonSerializer.Deserialize("{\"StatusCode\":" + json + "}", BatchJsonContext.Default.BatchJobStatusBody);
        body!.StatusCode.Should().Be(expected);
    }

    [Theory]
    [InlineData("\"Canceled\"")]
    [InlineData("\"Queued\"")]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("null")]
    [InlineData("true")]
    public void StateConverter_UnknownValue_ThrowsUnknownState(string json)
    {
        var act = () => JsonSerializer.Deserialize("{\"StatusCode\":" + json + "}", BatchJsonContext.Default.BatchJobStatusBody);
        act.Should().Throw<JsonException>().Which.Message.Should().Contain("NotStarted, Running, Failed, Cancelled or Finished");
    }

    [Fact]
    public void StateConverter_Write_WritesName()
    {
        JsonSerializer.Serialize(new BatchJobStatusBody { StatusCode = BatchJobState.Cancelled }, BatchJsonContext.Default.BatchJobStatusBody)
            .Should().Contain("\"StatusCode\":\"Cancelled\"");
    }

    [Fact]
    public void Request_BothInputAndInputs_ThrowsArgumentException()
    {
        var request = new BatchJobRequest { Input = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "in.csv") };
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "in.csv");

        var act = () => request.ThrowIfInvalid("request");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "request" && e.Message.Contains("either Input or Inputs"));
    }

    [Fact]
    public void Request_NoInput_ThrowsArgumentException()
    {
        var act = () => new BatchJobRequest().ThrowIfInvalid("request");
        act.Should().Throw<ArgumentException>().WithMessage("*no input*");
    }

    [Fact]
    public void Request_InputWithoutCredentials_ThrowsArgumentException()
    {
        var request = new BatchJobRequest();
        request.Inputs["input1"] = new BatchBlobReference { RelativeLocation = "c/in.csv" };
        var act = () => request.ThrowIfInvalid("request");
        act.Should().Throw<ArgumentException>().WithMessage("*Inputs[\"input1\"] needs a ConnectionString*");
    }

    [Fact]
    public void Request_ToBody_SerializesWireShape()
    {
        var request = new BatchJobRequest();
        request.Inputs["input1"] = BatchBlobReference.FromConnectionString("cs", "c", "in.csv");
        var json = JsonSerializer.Serialize(request.ToBody(), BatchJsonContext.Default.BatchJobBody);
        json.Should().Be("{\"Inputs\":{\"input1\":{\"ConnectionString\":\"cs\",\"RelativeLocation\":\"c/in.csv\"}},\"GlobalParameters\":{}}");
    }

    [Fact]
    public void FromConnectionString_BuildsRelativeLocation()
    {
        var blob = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "mycontainer", "/dir/input.csv");
        blob.RelativeLocation.Should().Be("mycontainer/dir/input.csv");
        blob.ContainerName.Should().Be("mycontainer");
        blob.BlobName.Should().Be("dir/input.csv");
        blob.BaseLocation.Should().BeNull();
    }

    [Fact]
    public void FromConnectionString_ContainerWithSlash_ThrowsArgumentException()
    {
        var act = () => BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "a/b", "x.csv");
        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("containerName");
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/results/dir/out.csv?sv=2020&sr=b&sig=abc%2B&sp=r", "https://acct.blob.core.windows.net/", "results/dir/out.csv")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/results/out.csv?sv=2020&sig=abc", "http://127.0.0.1:10000/devstoreaccount1/", "results/out.csv")]
    public void FromSasUri_SplitsLocations(string uri, string baseLocation, string relative)
    {
        var blob = BatchBlobReference.FromSasUri(new Uri(uri));
        blob.BaseLocation.Should().Be(baseLocation);
        blob.RelativeLocation.Should().Be(relative);
        blob.SasBlobToken.Should().StartWith("?sv=2020");
        blob.GetSasUri().AbsoluteUri.Should().Be(new Uri(uri).AbsoluteUri);
    }

    [Fact]
    public void FromSasUri_NoQuery_ThrowsArgumentException()
    {
        var act = () => BatchBlobReference.FromSasUri(new Uri("https://acct.blob.core.windows.net/c/b.csv"));
        act.Should().Throw<ArgumentException>().WithMessage("*no SAS token*");
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/", "results/out.csv", "?sv=1&sig=x")]
    [InlineData("https://acct.blob.core.windows.net", "/results/out.csv", "?sv=1&sig=x")]
    [InlineData("https://acct.blob.core.windows.net/", "/results/out.csv", "sv=1&sig=x")]
    public void GetSasUri_JoinsPartsWhateverTheSlashes(string baseLocation, string relative, string token)
    {
        var blob = new BatchBlobReference { BaseLocation = baseLocation, RelativeLocation = relative, SasBlobToken = token };
        blob.GetSasUri().AbsoluteUri.Should().Be("https://acct.blob.core.windows.net/results/out.csv?sv=1&sig=x");
    }

    [Fact]
    public void GetSasUri_AccountKeyReference_ThrowsInvalidOperation()
    {
        var act = () => BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "b.csv").GetSasUri();
        act.Should().Throw<InvalidOperationException>().WithMessage("*not a SAS reference*");
    }

    [Fact]
    public void CreateBlobClient_SasReference_UsesSasWithoutKey()
    {
        var blob = BatchBlobReference.FromSasUri(new Uri("https://acct.blob.core.windows.net/results/out.csv?sv=2020&sr=b&sig=abc&sp=r"));
        var client = blob.CreateBlobClient();
        client.BlobContainerName.Should().Be("results");
        client.Name.Should().Be("out.csv");
        client.AccountName.Should().Be("acct");
    }

    [Fact]
    public void ToString_BlobReference_RedactsKeyAndSignature()
    {
        var keyRef = BatchBlobReference.FromConnectionString(TestIds.StorageConnectionString, "c", "b.csv");
        var sasRef = BatchBlobReference.FromSasUri(new Uri("https://acct.blob.core.windows.net/c/b.csv?sv=2020&sig=SECRETSIG&sp=r"));

        keyRef.ToString().Should().Contain("AccountKey=***").And.Contain("AccountName=acct").And.NotContain(TestIds.StorageAccountKey);
        sasRef.ToString().Should().Contain("sig=***").And.Contain("sp=r").And.NotContain("SECRETSIG");
    }

    [Fact]
    public void DebuggerDisplay_BlobReference_UsesRedactedToString()
    {
        var attribute = typeof(BatchBlobReference).GetCustomAttributes(typeof(System.Diagnostics.DebuggerDisplayAttribute), false)
            .Cast<System.Diagnostics.DebuggerDisplayAttribute>().Single();
        attribute.Value.Should().Be("{ToString(),nq}");
    }

    [Fact]
    public void DebuggerTypeProxy_BlobReference_ShowsSecretsRedacted()
    {
        typeof(BatchBlobReference).GetCustomAttributes(typeof(System.Diagnostics.DebuggerTypeProxyAttribute), false).Should().ContainSingle();
        var view = new BatchBlobReference.DebugView(new BatchBlobReference
        {
            ConnectionString = TestIds.StorageConnectionString,
            BaseLocation = "https://acct.blob.core.windows.net/",
            RelativeLocation = "c/b.csv",
            SasBlobToken = "?sv=1&sig=SECRETSIG",
        });

        view.ConnectionString.Should().Contain("AccountKey=***").And.NotContain(TestIds.StorageAccountKey);
        view.SasBlobToken.Should().Be("?sv=1&sig=***");
        view.RelativeLocation.Should().Be("c/b.csv");
    }

    [Fact]
    public void ToString_RunOptions_RedactsConnectionString()
    {
        var options = new BatchRunOptions { StorageConnectionString = TestIds.StorageConnectionString };
        options.ToString().Should().Contain("AccountKey=***").And.Contain("azureml-batch").And.NotContain(TestIds.StorageAccountKey);
    }

    [Fact]
    public void ToString_Status_RedactsResultsAndDetails()
    {
        var status = new BatchJobStatus("job1", BatchJobState.Finished, new Dictionary<string, BatchBlobReference>
        {
            ["output1"] = BatchBlobReference.FromSasUri(new Uri("https://acct.blob.core.windows.net/c/o.csv?sv=2020&sig=SECRETSIG")),
        }, "failed with AccountKey=" + TestIds.StorageAccountKey);

        var text = status.ToString();

        text.Should().Contain("job1").And.Contain("Finished").And.Contain("output1").And.Contain("sig=***");
        text.Should().NotContain("SECRETSIG").And.NotContain(TestIds.StorageAccountKey);
    }

    [Fact]
    public void EnsureSucceeded_Failed_ThrowsWithDetails()
    {
        var act = () => new BatchJobStatus("job1", BatchJobState.Failed, null, "Error 0000: bad CSV on line 3").EnsureSucceeded();
        var ex = act.Should().Throw<BatchJobFailedException>().Which;
        ex.State.Should().Be(BatchJobState.Failed);
        ex.IsCancelled.Should().BeFalse();
        ex.Details.Should().Be("Error 0000: bad CSV on line 3");
        ex.Message.Should().Contain("job1").And.Contain("bad CSV on line 3");
    }

    [Fact]
    public void EnsureSucceeded_Cancelled_ThrowsDistinguishableFromFailure()
    {
        var act = () => new BatchJobStatus("job1", BatchJobState.Cancelled).EnsureSucceeded();
        var ex = act.Should().Throw<BatchJobFailedException>().Which;
        ex.IsCancelled.Should().BeTrue();
        ex.Message.Should().Contain("cancelled");
    }

    [Fact]
    public void EnsureSucceeded_Finished_ReturnsStatus()
    {
        var status = new BatchJobStatus("job1", BatchJobState.Finished);
        status.EnsureSucceeded().Should().BeSameAs(status);
    }

    [Fact]
    public void EnsureSucceeded_Running_ThrowsInvalidOperation()
    {
        var act = () => new BatchJobStatus("job1", BatchJobState.Running).EnsureSucceeded();
        act.Should().Throw<InvalidOperationException>().WithMessage("*not ended*");
    }

    [Fact]
    public void PollingOptions_Invalid_ThrowsArgumentException()
    {
        var act = () => new BatchPollingOptions { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(5) }.ThrowIfInvalid("polling");
        act.Should().Throw<ArgumentException>().WithMessage("*MaxDelay*");
    }
}
