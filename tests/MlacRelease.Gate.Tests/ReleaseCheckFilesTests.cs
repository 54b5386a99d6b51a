using YamlDotNet.RepresentationModel;

namespace MlacRelease.Gate.Tests;

/// <summary>The CI example and the project's release check stay in step: valid YAML, and the same script.</summary>
public sealed class ReleaseCheckFilesTests
{
    private static string Repository()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MlacRelease.sln"))) folder = folder.Parent;
        folder.Should().NotBeNull("tests run inside the repository");
        return folder!.FullName;
    }

    [Fact]
    public void The_GitHub_Actions_example_is_valid_YAML_that_runs_the_release_check_script_and_the_gate()
    {
        var root = Repository();
        var path = Path.Combine(root, "release-checks", "github-actions", "release-gate.yml");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        var document = (YamlMappingNode)yaml.Documents.Single().RootNode;
        var jobs = (YamlMappingNode)document.Children[new YamlScalarNode("jobs")];
        var runs = jobs.Children.Values.Cast<YamlMappingNode>()
            .SelectMany(job => ((YamlSequenceNode)job.Children[new YamlScalarNode("steps")]).Children.Cast<YamlMappingNode>())
            .Where(step => step.Children.ContainsKey(new YamlScalarNode("run")))
            .Select(step => ((YamlScalarNode)step.Children[new YamlScalarNode("run")]).Value!)
            .ToList();
        runs.Should().Contain(r => r.Contains("release-checks/run-release-check.sh"));
        runs.Should().Contain(r => r.Contains("mlac gate --release"));
        File.Exists(Path.Combine(root, "release-checks", "run-release-check.sh")).Should().BeTrue();
        File.ReadAllText(Path.Combine(root, "release-checks", "run-release-check.sh")).Should().Contain(" demo ").And.Contain(" gate ");
    }
}
