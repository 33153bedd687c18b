using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AzureMl.Emulator;

namespace AzureMl.Packaging.Tests.Packaging;

/// <summary>
/// The path a real user takes: pack both libraries into a folder feed, create a fresh console app that references
/// them by version (its own nuget.config adds the folder to the machine's sources), and run it against the emulator.
/// What is packed is checked file by file: contents, metadata, README links and SourceLink.
/// </summary>
public sealed partial class PackAndConsumeTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
    private const string RepositoryUrl = "https://example.org/forks/azureml-client";
    private const string Remote = "https://github.com/example/azureml-client.git";

    // Every file of each package, beside NuGet's own (_rels/, [Content_Types].xml, package/services/, the .nuspec).
    private static readonly Dictionary<string, string[]> Contents = new()
    {
        ["AzureMl.Client.nupkg"] = ["README.md", "lib/net10.0/AzureMl.Client.dll", "lib/net10.0/AzureMl.Client.xml"],
        ["AzureMl.Client.snupkg"] = ["lib/net10.0/AzureMl.Client.pdb"],
        ["AzureMl.Emulator.nupkg"] =
        [
            "README.md", "contentFiles/any/any/azurite/package-lock.json", "contentFiles/any/any/azurite/package.json",
            "lib/net10.0/AzureMl.Emulator.dll", "lib/net10.0/AzureMl.Emulator.xml",
        ],
        ["AzureMl.Emulator.snupkg"] = ["lib/net10.0/AzureMl.Emulator.pdb"],
    };
    private readonly string _work = Path.Combine(Path.GetTempPath(), "azureml-pack-" + Guid.NewGuid().ToString("N"));
    private readonly string _suffix = "pack." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Random.Shared.Next(1000, 9999);
    private readonly List<string> _cachedPackages = [];

    public void Dispose()
    {
        // Nothing left behind: the temp folders and this run's packages in the global packages folder.
        foreach (var folder in _cachedPackages.Append(_work))
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                // The package id's folder too, when this run created it.
                if (Path.GetDirectoryName(folder) is { } parent && _cachedPackages.Contains(folder)
                    && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
                {
                    Directory.Delete(parent);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    [Fact]
    public async Task Pack_ThenConsumeFromFolderFeed_BuildsRunsAndScoresAgainstEmulator()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        var app = Directory.CreateDirectory(Path.Combine(_work, "app")).FullName;

        // A remote on a host SourceLink knows, given through git's user configuration: the clone's own remotes are left alone.
        // A continuous-integration build (CI=true, as .ci/run sets) reads only the repository's own git configuration,
        // so this pack is a local one.
        var environment = GitRemote("azureml-pack-test", Remote);
        foreach (var project in new[] { "src/AzureMl.Client/AzureMl.Client.csproj", "src/AzureMl.Emulator/AzureMl.Emulator.csproj" })
        {
            var (code, output) = await DotNetCli.RunAsync(
                RepositoryRoot.Path, StepTimeout, environment, "pack", project, "-c", "Release", "-o", feed, $"-p:VersionSuffix={_suffix}",
                $"-p:AzureMlRepositoryUrl={RepositoryUrl}", "-p:GitRepositoryRemoteName=azureml-pack-test", "-p:ContinuousIntegrationBuild=false");
            code.Should().Be(0, output);
            output.Should().NotContain("AZML000", "a repository URL and a known remote were given");
        }

        var client = Path.GetFileName(Directory.GetFiles(feed, "AzureMl.Client.*.nupkg").Should().ContainSingle().Subject);
        var version = Regex.Match(client, @"^AzureMl\.Client\.(.+)\.nupkg$").Groups[1].Value;
        version.Should().EndWith(_suffix);
        await RememberCachedPackagesAsync(version);

        var commit = (await Git("rev-parse", "HEAD")).Trim();
        AssertPackage(feed, "AzureMl.Client", version, commit, "Microsoft.Extensions.Http.Resilience");
        AssertPackage(feed, "AzureMl.Emulator", version, commit, "Azure.Storage.Blobs");

        WriteConsumer(app, feed, version);
        var (exit, text) = await DotNetCli.RunAsync(app, StepTimeout, "run", "--project", Path.Combine(app, "Consumer.csproj"));

        exit.Should().Be(0, text);
        var expected = string.Join(",", new FeatureHashingModel().Hash("This is a good day"));
        text.Should().Contain($"features: {expected}").And.Contain($"package version: {version}");
        text.Should().NotContain("consumer-subscription-key");
    }

    [Fact]
    public async Task Pack_WithoutRepositoryUrlOrKnownRemote_WarnsAndPacksNoDeadLink()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;

        var (code, output) = await DotNetCli.RunAsync(
            RepositoryRoot.Path, StepTimeout, GitRemote("azureml-pack-local", RepositoryRoot.Path),
            "pack", "src/AzureMl.Client/AzureMl.Client.csproj", "-c", "Release", "-o", feed, $"-p:VersionSuffix={_suffix}",
            "-p:AzureMlRepositoryUrl=", "-p:GitRepositoryRemoteName=azureml-pack-local");

        code.Should().Be(0, "the notices are warnings, never errors: " + output);
        output.Should().Contain("warning AZML0001: AzureMlRepositoryUrl is not set").And.Contain("warning AZML0002");
        var nupkg = Directory.GetFiles(feed, "AzureMl.Client.*.nupkg").Should().ContainSingle().Subject;
        await RememberCachedPackagesAsync(Regex.Match(Path.GetFileName(nupkg), @"^AzureMl\.Client\.(.+)\.nupkg$").Groups[1].Value);
        using var package = ZipFile.OpenRead(nupkg);
        Metadata(package, "AzureMl.Client").Elements().Should().NotContain(e => e.Name.LocalName == "projectUrl");
        var readme = ReadEntry(package, "README.md");
        Links(readme).Should().OnlyContain(l => l.StartsWith("https://", StringComparison.Ordinal), "links without a repository URL keep only their text");
        readme.Should().Contain("License: MIT.");
    }

    private static void AssertPackage(string feed, string id, string version, string commit, string dependency)
    {
        using (var package = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.nupkg")))
        {
            OwnEntries(package, id).Should().BeEquivalentTo(Contents[$"{id}.nupkg"], $"{id}.nupkg holds exactly these files");

            var metadata = Metadata(package, id);
            string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
            license.Attribute("type")!.Value.Should().Be("expression");
            license.Value.Should().Be("MIT");
            Value("readme").Should().Be("README.md");
            Value("description").Should().NotBeNullOrWhiteSpace();
            Value("tags").Should().Contain("azureml");
            Value("projectUrl").Should().Be(RepositoryUrl);
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            repository.Attribute("url")!.Value.Should().Be(RepositoryUrl);
            repository.Attribute("commit")!.Value.Should().Be(commit);
            metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Should().Contain(dependency);

            // On a package page only absolute links work: the README's own are rewritten under the repository URL.
            var links = Links(ReadEntry(package, "README.md"));
            links.Should().NotBeEmpty().And.OnlyContain(l => l.StartsWith("https://", StringComparison.Ordinal));
            links.Should().Contain([$"{RepositoryUrl}#install", $"{RepositoryUrl}/blob/{commit}/LICENSE", $"{RepositoryUrl}/blob/{commit}/CHANGELOG.md"]);
        }

        using var symbols = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.snupkg"));
        OwnEntries(symbols, id).Should().BeEquivalentTo(Contents[$"{id}.snupkg"], $"{id}.snupkg holds exactly these files");
        SourceLink(symbols, $"lib/net10.0/{id}.pdb").Should().Be(
            $"https://raw.githubusercontent.com/example/azureml-client/{commit}/*", "SourceLink maps the sources to the packed commit");
    }

    private static IEnumerable<string> OwnEntries(ZipArchive package, string id) =>
        package.Entries.Select(e => e.FullName).Where(n =>
            !n.StartsWith("_rels/", StringComparison.Ordinal) && n != "[Content_Types].xml"
            && !n.StartsWith("package/services/", StringComparison.Ordinal) && n != $"{id}.nuspec");

    private static XElement Metadata(ZipArchive package, string id) =>
        XDocument.Parse(ReadEntry(package, $"{id}.nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");

    private static string ReadEntry(ZipArchive package, string name)
    {
        using var reader = new StreamReader(package.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>The targets of the Markdown links outside code blocks.</summary>
    private static List<string> Links(string markdown)
    {
        var prose = Regex.Replace(markdown.ReplaceLineEndings("\n"), @"^```.*?^```", "", RegexOptions.Multiline | RegexOptions.Singleline);
        return MarkdownLink().Matches(prose).Select(m => m.Groups[1].Value).ToList();
    }

    /// <summary>The one SourceLink mapping in a portable PDB of the symbols package.</summary>
    private static string SourceLink(ZipArchive symbols, string pdb)
    {
        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        using var image = new MemoryStream();
        using (var entry = symbols.GetEntry(pdb)!.Open())
        {
            entry.CopyTo(image);
        }

        image.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(image);
        var reader = provider.GetMetadataReader();
        var blob = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
            .Where(c => reader.GetGuid(c.Kind) == sourceLinkKind).Select(c => reader.GetBlobBytes(c.Value)).Should().ContainSingle().Subject;
        using var json = JsonDocument.Parse(blob);
        return json.RootElement.GetProperty("documents").EnumerateObject().Should().ContainSingle().Subject.Value.GetString()!;
    }

    /// <summary>Git's user configuration (XDG) with one remote, so a pack sees it without the clone being changed.</summary>
    private Dictionary<string, string> GitRemote(string name, string url)
    {
        var config = Directory.CreateDirectory(Path.Combine(_work, "xdg", "git")).FullName;
        File.WriteAllText(Path.Combine(config, "config"), $"[remote \"{name}\"]\n\turl = {url}\n");
        return new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = Path.GetDirectoryName(config)! };
    }

    private static async Task<string> Git(params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = RepositoryRoot.Path, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static void WriteConsumer(string app, string feed, string version)
    {
        // Adds the folder to the machine's configured sources; names no other feed.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        // Stop MSBuild from picking up build settings from folders above the temp directory.
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />");

        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AzureMl.Client" Version="{version}" />
                <PackageReference Include="AzureMl.Emulator" Version="{version}" />
              </ItemGroup>
            </Project>
            """);

        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System.Reflection;
            using AzureMl.Client;
            using AzureMl.Emulator;
            using Microsoft.Extensions.DependencyInjection;

            await using var emulator = await AzureMlEmulator.StartAsync(new AzureMlEmulatorOptions
            {
                StorageConnectionString = "UseDevelopmentStorage=true", // scoring only: no blob storage is used
                Gateway = new EmulatorGatewayOptions { Suffix = "azureml-demo", PrimaryKey = "consumer-subscription-key" },
            });

            var services = new ServiceCollection();
            services.AddAzureMlClient(o =>
                {
                    o.Endpoint = emulator.ServiceRoot;
                    o.WorkspaceId = emulator.WorkspaceId;
                    o.ServiceId = emulator.ServiceId;
                    o.ApiKey = emulator.ApiKey;
                })
                .AddSubscriptionKey(emulator.PrimarySubscriptionKey!);
            await using var provider = services.BuildServiceProvider();
            var client = provider.GetRequiredService<IAzureMlClient>();

            var output = await client.ExecuteAsync(new ScoringTable("Col2").AddRow("This is a good day"));
            Console.WriteLine("features: " + string.Join(",", Enumerable.Range(0, 8).Select(j => output[0].GetInt32($"Col2_HashingFeature.{j}"))));
            Console.WriteLine("package version: " + typeof(AzureMlClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0]);
            """);
    }

    private async Task RememberCachedPackagesAsync(string version)
    {
        var (code, output) = await DotNetCli.RunAsync(_work, StepTimeout, "nuget", "locals", "global-packages", "--list");
        var match = GlobalPackages().Match(output);
        if (code == 0 && match.Success)
        {
            var root = match.Groups[1].Value.Trim();
            _cachedPackages.Add(Path.Combine(root, "azureml.client", version));
            _cachedPackages.Add(Path.Combine(root, "azureml.emulator", version));
        }
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"global-packages:\s*(.+)")]
    private static partial Regex GlobalPackages();
}
