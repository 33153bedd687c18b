using System.Text.RegularExpressions;
using AzureMl.Emulator;
using Microsoft.CodeAnalysis;

namespace AzureMl.Packaging.Tests.Readme;

/// <summary>
/// The C# snippets of README.md, taken from the file. Every one compiles (a fragment after the prelude its heading
/// gives it below); the complete programs that need no Azure account run against the emulator or a local stand-in,
/// with only the placeholders (endpoint, ids, key) replaced.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    // Fragments use names the README's prose introduces; each heading's prelude declares them (compiled, not run).
    private const string FragmentUsings = """
        global using AzureMl.Client;
        global using AzureMl.Client.Batch;
        global using AzureMl.Client.Gateway;
        global using AzureMl.Client.OnlineEndpoints;
        global using AzureMl.Client.Telemetry;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using OpenTelemetry.Metrics;
        global using OpenTelemetry.Trace;
        global using Polly;
        """;

    // A test project's implicit using (the xunit template's <Using Include="Xunit" />).
    private const string TestProjectUsings = "global using Xunit;";

    private const string Client = "IAzureMlClient client = null!; var cancellationToken = CancellationToken.None;";
    private const string Services = "var services = new ServiceCollection(); IConfiguration configuration = new ConfigurationBuilder().Build();";

    /// <summary>Every C# block of the README, by heading and position, and what it is given before and after.</summary>
    private static readonly Dictionary<string, Snippet> Snippets = new()
    {
        ["Request-Response scoring#0"] = new(Kind.Program),
        ["Request-Response scoring#1"] = new(Kind.Fragment, Client + """ var input = new ScoringTable("Col1", "Col2");"""),
        ["Request-Response scoring#2"] = new(Kind.Fragment, Client),
        ["Request-Response scoring/Testing against a WireMock stand-in#0"] = new(Kind.Program),
        ["Batch jobs/One call#0"] = new(Kind.Program, "var cancellationToken = CancellationToken.None;"),
        ["Batch jobs/Step by step#0"] = new(Kind.Fragment, Client + """ var connectionString = "UseDevelopmentStorage=true"; var destinationStream = new MemoryStream();"""),
        ["Batch jobs/Picking a job up elsewhere#0"] = new(Kind.Fragment, """IAzureMlClient otherClient = null!; var jobId = "0123456789abcdef"; var cancellationToken = CancellationToken.None;"""),
        ["Bulk scoring#0"] = new(Kind.Program, Client, """
            static async IAsyncEnumerable<IReadOnlyList<object?>> ReadReviewsAsync()
            {
                await Task.Yield();
                yield return [1, "This is a good day"];
            }
            """),
        ["Bulk scoring#1"] = new(Kind.Program, Client + """ var reviews = new List<Review> { new("This is a good day") };"""),
        ["Online endpoints#0"] = new(Kind.Program),
        ["Online endpoints#1"] = new(Kind.Fragment, Services + " Azure.Core.TokenCredential credential = null!;"),
        ["Online endpoints#2"] = new(Kind.Program, """IOnlineEndpointClient endpoint = null!; var reviews = new List<string> { "This is a good day" };"""),
        ["API Management#0"] = new(Kind.Fragment, Services),
        ["API Management#1"] = new(Kind.Fragment, """var key = "subscription-key";"""),
        ["API Management/Throttling and what is retried#0"] = new(Kind.Fragment, Services),
        ["Telemetry#0"] = new(Kind.Fragment, Services),
        ["Testing your app with the emulator#0"] = new(Kind.TestClass),
        ["Configuration reference#0"] = new(Kind.Fragment, "var builder = Host.CreateApplicationBuilder();"),
    };

    public static TheoryData<string> SnippetNames => [.. Snippets.Keys];

    [Fact]
    public void Readme_EveryCSharpSnippet_IsCheckedHere()
    {
        Names().Should().BeEquivalentTo(Snippets.Keys, "a new C# block in README.md gets an entry (and a prelude if it is a fragment)");
    }

    [Theory]
    [MemberData(nameof(SnippetNames))]
    public void Snippet_FromReadme_Compiles(string name)
    {
        var snippet = Snippets[name];
        var code = Source(name);
        var (kind, sources) = snippet.Kind switch
        {
            Kind.Fragment => (OutputKind.ConsoleApplication, new[] { FragmentUsings, snippet.Prelude + "\n" + code }),
            Kind.TestClass => (OutputKind.DynamicallyLinkedLibrary, [TestProjectUsings, code]),
            _ => (OutputKind.ConsoleApplication, [TestProjectUsings, Program(code, snippet.Prelude, snippet.Epilogue)]),
        };

        SnippetCompiler.Compile(kind, sources).Should().NotBeEmpty();
    }

    [Fact]
    public async Task RequestResponseSnippet_CompiledFromReadme_RunsAgainstEmulator()
    {
        await using var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" });
        var program = Source("Request-Response scoring#0")
            .Replace("https://ussouthcentral.services.azureml.net", emulator.ServiceRoot.ToString(), StringComparison.Ordinal)
            .Replace("<workspace id>", emulator.WorkspaceId, StringComparison.Ordinal)
            .Replace("<service id>", emulator.ServiceId, StringComparison.Ordinal);

        var output = await RunWithVariableAsync(program, "AZUREML_API_KEY", emulator.ApiKey);

        output.Should().Be($"This is a good day: {new FeatureHashingModel().Hash("This is a good day")[0]}" + Environment.NewLine);
    }

    /// <summary>Runs a program with an environment variable set (the key a snippet reads), restored afterwards.</summary>
    private static async Task<string> RunWithVariableAsync(string program, string name, string value)
    {
        var previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            return await SnippetCompiler.RunProgramAsync(program);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, previous);
        }
    }

    [Fact]
    public async Task OnlineEndpointSnippet_CompiledFromReadme_RunsAgainstEmulator()
    {
        await using var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" });
        var program = Source("Online endpoints#0")
            .Replace("https://my-endpoint.westeurope.inference.ml.azure.com/score", emulator.OnlineScoringUri!.ToString(), StringComparison.Ordinal);

        var output = await RunWithVariableAsync(program, "AZUREML_ENDPOINT_KEY", emulator.GetOnlineEndpointKey("feature-hashing"));

        output.Should().Be($"Col2_HashingFeature.0: {new FeatureHashingModel().Hash("This is a good day")[0]}" + Environment.NewLine);
    }

    [Fact]
    public async Task BulkScoringSnippets_CompiledFromReadme_RunAgainstEmulatorWithTheClassifierTheyName()
    {
        // The model the README names for these snippets: a classifier answering "Scored Labels" and "Scored Probabilities".
        var options = new AzureMlEmulatorOptions
        {
            StorageConnectionString = "UseDevelopmentStorage=true",
            Model = EmulatedModel.Create(
                [new EmulatedColumn("Col2")],
                [new EmulatedColumn("Scored Labels", "Int32"), new EmulatedColumn("Scored Probabilities", "Double")],
                row => (IReadOnlyList<string?>)[row["Col2"]!.Contains("good", StringComparison.Ordinal) ? "1" : "0", "0.75"]),
        };
        await using var emulator = await AzureMlEmulator.StartAsync(options);
        var client = $$"""var client = new AzureMlClient(new HttpClient(), new AzureMlClientOptions { Endpoint = new Uri("{{emulator.ServiceRoot}}"), WorkspaceId = "{{emulator.WorkspaceId}}", ServiceId = "{{emulator.ServiceId}}", ApiKey = "{{emulator.ApiKey}}" });""";

        var untyped = await SnippetCompiler.RunProgramAsync(Program(Source("Bulk scoring#0"), client, Snippets["Bulk scoring#0"].Epilogue));
        var typed = await SnippetCompiler.RunProgramAsync(Program(Source("Bulk scoring#1"), client + """ var reviews = new List<Review> { new("This is a good day") };""", string.Empty));

        untyped.Should().Contain("0.75");
        typed.Should().Contain("1 (75").And.Contain("%)");
    }

    [Fact]
    public async Task BatchOneCallSnippet_CompiledFromReadme_RunsAJobOnTheEmulator()
    {
        await using var emulator = await AzureMlEmulator.StartAsync();
        var folder = Directory.CreateTempSubdirectory("azureml-readme-").FullName;
        try
        {
            var input = Path.Combine(folder, "input.csv");
            var scored = Path.Combine(folder, "scored.csv");
            await File.WriteAllTextAsync(input, "Col2\r\nThis is a good day\r\n");
            var program = Program(
                Source("Batch jobs/One call#0")
                    .Replace("https://ussouthcentral.services.azureml.net", emulator.ServiceRoot.ToString(), StringComparison.Ordinal)
                    .Replace("<workspace id>", emulator.WorkspaceId, StringComparison.Ordinal)
                    .Replace("<service id>", emulator.ServiceId, StringComparison.Ordinal)
                    .Replace("<api key>", emulator.ApiKey, StringComparison.Ordinal)
                    .Replace("<storage connection string>", emulator.StorageConnectionString, StringComparison.Ordinal)
                    .Replace("\"input.csv\"", "@\"" + input + "\"", StringComparison.Ordinal)
                    .Replace("\"scored.csv\"", "@\"" + scored + "\"", StringComparison.Ordinal),
                Snippets["Batch jobs/One call#0"].Prelude,
                string.Empty);

            var output = await SnippetCompiler.RunProgramAsync(program);

            output.Should().Contain("Uploading");
            (await File.ReadAllLinesAsync(scored)).Should().HaveCount(2).And.Contain(l => l.StartsWith("This is a good day,1,1,2,2,0,2,0,1", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task BatchStepByStepSnippets_CompiledFromReadme_RunAJobOnTheEmulator()
    {
        await using var emulator = await AzureMlEmulator.StartAsync();
        var container = new Azure.Storage.Blobs.BlobContainerClient(emulator.StorageConnectionString, "data", new Azure.Storage.Blobs.BlobClientOptions(AzureMl.Client.Batch.BatchRunOptions.DefaultBlobServiceVersion));
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("input.csv").UploadAsync(BinaryData.FromString("Col2\r\nThis is a good day\r\n"), overwrite: true);
        var client = $$"""IAzureMlClient client = new AzureMlClient(new HttpClient(), new AzureMlClientOptions { Endpoint = new Uri("{{emulator.ServiceRoot}}"), WorkspaceId = "{{emulator.WorkspaceId}}", ServiceId = "{{emulator.ServiceId}}", ApiKey = "{{emulator.ApiKey}}" }); var cancellationToken = CancellationToken.None;""";

        // Step by step: submit, start, wait, download (into a stream the test reads back).
        var stepByStep = client + $$""" var connectionString = "{{emulator.StorageConnectionString}}"; var destinationStream = new MemoryStream();"""
            + "\n" + Source("Batch jobs/Step by step#0")
            + "\nConsole.Write(System.Text.Encoding.UTF8.GetString(destinationStream.ToArray()));";
        var output = await SnippetCompiler.RunAsync(SnippetCompiler.Compile(OutputKind.ConsoleApplication, FragmentUsings, stepByStep), RunEntryPoint);
        output.Should().Contain("This is a good day,1,1,2,2,0,2,0,1");

        // Picking a job up elsewhere: a second client waits for a job the first one started.
        var jobId = await new AzureMl.Client.AzureMlClient(new HttpClient(), new AzureMl.Client.AzureMlClientOptions
        {
            Endpoint = emulator.ServiceRoot, WorkspaceId = emulator.WorkspaceId, ServiceId = emulator.ServiceId, ApiKey = emulator.ApiKey,
        }).SubmitAndStartJobAsync(Request(emulator.StorageConnectionString));
        var pickUp = client.Replace("IAzureMlClient client", "IAzureMlClient otherClient", StringComparison.Ordinal) + $" var jobId = \"{jobId.Id}\";"
            + "\n" + Source("Batch jobs/Picking a job up elsewhere#0") + "\nConsole.Write(status.State);";
        (await SnippetCompiler.RunAsync(SnippetCompiler.Compile(OutputKind.ConsoleApplication, FragmentUsings, pickUp), RunEntryPoint)).Should().Be("Finished");

        static AzureMl.Client.Batch.BatchJobRequest Request(string connectionString)
        {
            var request = new AzureMl.Client.Batch.BatchJobRequest();
            request.Inputs["input1"] = AzureMl.Client.Batch.BatchBlobReference.FromConnectionString(connectionString, "data", "input.csv");
            request.Outputs["output1"] = AzureMl.Client.Batch.BatchBlobReference.FromConnectionString(connectionString, "data", "picked.csv");
            return request;
        }

        static async Task RunEntryPoint(System.Reflection.Assembly assembly)
        {
            var entry = assembly.EntryPoint!;
            if (entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]) is Task task)
            {
                await task;
            }
        }
    }

    [Fact]
    public async Task WireMockSnippet_CompiledFromReadme_RunsAgainstItsStandIn()
    {
        var image = SnippetCompiler.Compile(OutputKind.ConsoleApplication, TestProjectUsings, Source("Request-Response scoring/Testing against a WireMock stand-in#0"));

        // The snippet's own Assert.Equal throws if the stand-in's answer is not read back.
        var output = await SnippetCompiler.RunAsync(image, async assembly =>
        {
            if (assembly.EntryPoint!.Invoke(null, [Array.Empty<string>()]) is Task task)
            {
                await task;
            }
        });

        output.Should().BeEmpty();
    }

    [Fact]
    public async Task EmulatorTestClassSnippet_CompiledFromReadme_PassesAsATest()
    {
        var image = SnippetCompiler.Compile(OutputKind.DynamicallyLinkedLibrary, TestProjectUsings, Source("Testing your app with the emulator#0"));

        // What xunit does with the class: create it, initialize, run each [Fact], dispose.
        var facts = 0;
        await SnippetCompiler.RunAsync(image, async assembly =>
        {
            var type = assembly.GetTypes().Single(t => typeof(IAsyncLifetime).IsAssignableFrom(t));
            foreach (var fact in type.GetMethods().Where(m => m.IsDefined(typeof(FactAttribute), inherit: false)))
            {
                var test = (IAsyncLifetime)Activator.CreateInstance(type)!;
                await test.InitializeAsync();
                try
                {
                    await (Task)fact.Invoke(test, null)!;
                    facts++;
                }
                finally
                {
                    await test.DisposeAsync();
                }
            }
        });

        facts.Should().Be(1);
    }

    /// <summary>A complete program with its prelude placed after its using directives and its epilogue at the end.</summary>
    private static string Program(string code, string prelude, string epilogue)
    {
        var usings = UsingDirective().Match(code).Length;
        return code[..usings] + prelude + "\n" + code[usings..] + "\n" + epilogue;
    }

    private static string Source(string name) => ReadmeFile.All("csharp")[Names().IndexOf(name)].Code;

    /// <summary>Each C# block's name: its heading path and its position under that heading.</summary>
    private static List<string> Names()
    {
        var all = ReadmeFile.All("csharp");
        return all.Select((b, i) => $"{b.HeadingPath}#{all.Take(i).Count(o => o.HeadingPath == b.HeadingPath)}").ToList();
    }

    [GeneratedRegex(@"\A(?:(?:using [A-Za-z0-9_.]+;)?\s*\n)*")]
    private static partial Regex UsingDirective();

    private enum Kind
    {
        /// <summary>A complete program (top-level statements); a prelude goes after its usings.</summary>
        Program,

        /// <summary>Statements that use names from the text around them: compiled after the heading's prelude, with the usings above.</summary>
        Fragment,

        /// <summary>A test class, compiled as a test project's library.</summary>
        TestClass,
    }

    private sealed record Snippet(Kind Kind, string Prelude = "", string Epilogue = "");
}
