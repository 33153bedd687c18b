using System.Reflection;
using System.Runtime.Loader;
using AzureMl.Client;
using AzureMl.Emulator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AzureMl.Packaging.Tests.Readme;

/// <summary>
/// Compiles a README snippet as a user's project would: the SDK's implicit usings, every assembly this test project
/// references (the packages, xunit, WireMock, OpenTelemetry), and System.Text.Json's source generator.
/// </summary>
internal static class SnippetCompiler
{
    public const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    private static readonly Lazy<ISourceGenerator[]> Generators = new(() =>
    {
        // The ref pack of the running runtime's major version ships the generator, as it does for a user's build.
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var pack = Directory.GetDirectories(Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref"), $"{Environment.Version.Major}.*")
            .OrderBy(d => Version.Parse(Path.GetFileName(d).Split('-')[0])).Last();
        var reference = new AnalyzerFileReference(Path.Combine(pack, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"), new Loader());
        return [.. reference.GetGenerators(LanguageNames.CSharp)];
    });

    /// <summary>Compiles the sources into an assembly image, failing with the compiler's errors.</summary>
    public static byte[] Compile(OutputKind kind, params string[] sources)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(AzureMlClient).Assembly.Location)
            .Append(typeof(AzureMlEmulator).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        Compilation compilation = CSharpCompilation.Create(
            "ReadmeSnippet" + Guid.NewGuid().ToString("N"),
            sources.Prepend(ImplicitUsings).Select(s => CSharpSyntaxTree.ParseText(s, Parse)),
            references,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(Generators.Value, parseOptions: Parse).RunGeneratorsAndUpdateCompilation(compilation, out compilation, out _);

        using var image = new MemoryStream();
        var emit = compilation.Emit(image);
        emit.Success.Should().BeTrue(string.Join(Environment.NewLine, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return image.ToArray();
    }

    /// <summary>Loads the image in a context of its own, runs <paramref name="run"/> on it, and returns what it wrote to the console.</summary>
    public static async Task<string> RunAsync(byte[] image, Func<Assembly, Task> run)
    {
        var context = new AssemblyLoadContext("readme-snippet", isCollectible: true);
        var console = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(console);
        try
        {
            await run(context.LoadFromStream(new MemoryStream(image)));
            return console.ToString();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        finally
        {
            Console.SetOut(previous);
            context.Unload();
        }
    }

    /// <summary>Runs a program's entry point (top-level statements), awaiting it.</summary>
    public static Task<string> RunProgramAsync(string program) =>
        RunAsync(Compile(OutputKind.ConsoleApplication, program), async assembly =>
        {
            var entry = assembly.EntryPoint!;
            if (entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]) is Task task)
            {
                await task;
            }
        });

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
