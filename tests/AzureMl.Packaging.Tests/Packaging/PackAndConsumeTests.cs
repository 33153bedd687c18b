using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AzureMl.Emulator;

namespace AzureMl.Packaging.Tests.Packaging;

/// <summary>
/// The path a real user takes: pack both libraries into a folder feed, create a fresh console app that references
/// them by version (its own nuget.config adds the folder to the machine's sources), and run it against the emulator.
/// </summary>
public sealed partial class PackAndConsumeTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
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

        foreach (var project in new[] { "src/AzureMl.Client/AzureMl.Client.csproj", "src/AzureMl.Emulator/AzureMl.Emulator.csproj" })
        {
            var (code, output) = await DotNetCli.RunAsync(
                RepositoryRoot.Path, StepTimeout, "pack", project, "-c", "Release", "-o", feed, $"-p:VersionSuffix={_suffix}");
            code.Should().Be(0, output);
        }

        var client = Path.GetFileName(Directory.GetFiles(feed, "AzureMl.Client.*.nupkg").Should().ContainSingle().Subject);
        var version = Regex.Match(client, @"^AzureMl\.Client\.(.+)\.nupkg$").Groups[1].Value;
        version.Should().EndWith(_suffix);
        await RememberCachedPackagesAsync(version);

        AssertPackage(feed, "AzureMl.Client", version, "Microsoft.Extensions.Http.Resilience");
        AssertPackage(feed, "AzureMl.Emulator", version, "Azure.Storage.Blobs");
        using (var emulator = ZipFile.OpenRead(Path.Combine(feed, $"AzureMl.Emulator.{version}.nupkg")))
        {
            emulator.Entries.Select(e => e.FullName).Should().Contain("contentFiles/any/any/tools/azurite/package.json");
        }

        WriteConsumer(app, feed, version);
        var (exit, text) = await DotNetCli.RunAsync(app, StepTimeout, "run", "--project", Path.Combine(app, "Consumer.csproj"));

        exit.Should().Be(0, text);
        var expected = string.Join(",", new FeatureHashingModel().Hash("This is a good day"));
        text.Should().Contain($"features: {expected}").And.Contain($"package version: {version}");
        text.Should().NotContain("consumer-subscription-key");
    }

    private static void AssertPackage(string feed, string id, string version, string dependency)
    {
        using (var package = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.nupkg")))
        {
            var entries = package.Entries.Select(e => e.FullName).ToList();
            entries.Should().Contain(["README.md", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml"]);

            using var nuspecStream = package.GetEntry($"{id}.nuspec")!.Open();
            var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
            license.Attribute("type")!.Value.Should().Be("expression");
            license.Value.Should().Be("MIT");
            Value("readme").Should().Be("README.md");
            Value("description").Should().NotBeNullOrWhiteSpace();
            Value("tags").Should().Contain("azureml");
            metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("commit")!.Value.Should().MatchRegex("^[0-9a-f]{40}$");
            metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Should().Contain(dependency);
        }

        using var symbols = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.snupkg"));
        symbols.Entries.Select(e => e.FullName).Should().Contain($"lib/net10.0/{id}.pdb");
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

    [GeneratedRegex(@"global-packages:\s*(.+)")]
    private static partial Regex GlobalPackages();
}
