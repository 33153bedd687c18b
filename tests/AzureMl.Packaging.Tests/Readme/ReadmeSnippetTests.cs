using System.Reflection;
using System.Runtime.Loader;
using AzureMl.Client;
using AzureMl.Emulator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AzureMl.Packaging.Tests.Readme;

/// <summary>
/// C# snippets of README.md, taken from the file, compiled as a console app with the SDK's implicit usings, and run
/// against the emulator. Only the placeholders (endpoint, ids) are replaced with the emulator's values.
/// </summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public async Task RequestResponseSnippet_CompiledFromReadme_RunsAgainstEmulator()
    {
        var snippet = ReadmeFile.Blocks("Request-Response scoring", "csharp")[0];
        await using var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions { StorageConnectionString = "UseDevelopmentStorage=true" });
        var program = snippet
            .Replace("https://ussouthcentral.services.azureml.net", emulator.ServiceRoot.ToString(), StringComparison.Ordinal)
            .Replace("<workspace id>", emulator.WorkspaceId, StringComparison.Ordinal)
            .Replace("<service id>", emulator.ServiceId, StringComparison.Ordinal);

        var previousKey = Environment.GetEnvironmentVariable("AZUREML_API_KEY");
        Environment.SetEnvironmentVariable("AZUREML_API_KEY", emulator.ApiKey);
        try
        {
            var output = await RunAsync(program);

            output.Should().Be($"This is a good day: {new FeatureHashingModel().Hash("This is a good day")[0]}" + Environment.NewLine);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZUREML_API_KEY", previousKey);
        }
    }

    /// <summary>Compiles <paramref name="program"/> (top-level statements) and runs it, returning what it wrote to the console.</summary>
    private static async Task<string> RunAsync(string program)
    {
        const string ImplicitUsings = """
            global using System;
            global using System.Collections.Generic;
            global using System.IO;
            global using System.Linq;
            global using System.Net.Http;
            global using System.Threading;
            global using System.Threading.Tasks;
            """;
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(AzureMlClient).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "ReadmeSnippet" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse), CSharpSyntaxTree.ParseText(program, parse)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emit = compilation.Emit(image);
        emit.Success.Should().BeTrue(string.Join(Environment.NewLine, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        var context = new AssemblyLoadContext("readme-snippet", isCollectible: true);
        try
        {
            image.Position = 0;
            var entry = context.LoadFromStream(image).EntryPoint!;
            var console = new StringWriter();
            var previous = Console.Out;
            Console.SetOut(console);
            try
            {
                var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
                if (result is Task task)
                {
                    await task;
                }
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
            finally
            {
                Console.SetOut(previous);
            }

            return console.ToString();
        }
        finally
        {
            context.Unload();
        }
    }
}
