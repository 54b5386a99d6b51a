using System.Diagnostics;
using Google.Protobuf;
using MlacRelease.Export.Onnx;
using Onnx;
using Xunit.Abstractions;

namespace MlacRelease.Export.Tests;

/// <summary>The ONNX reference checker (release-checks/onnx_check.py, full check) accepts our exports and rejects a broken one.</summary>
[Collection(ExportCollection.Name)]
public sealed class OnnxCheckerTests(ExportFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Full_check_passes_on_the_MiniLM_export()
    {
        var (code, text) = OnnxChecker.Run(fixture.FullExportPath);
        output.WriteLine(text);
        code.Should().Be(0, text);
        text.Should().Contain("valid");
    }

    [Fact]
    public void Full_check_passes_on_the_released_model_with_a_classification_head_and_leaves_the_file_as_it_was()
    {
        var path = fixture.Release.Export.ModelPath;
        var before = Common.Integrity.FileDigest.Sha256(path);
        var (code, text) = OnnxChecker.Run(path);
        output.WriteLine(text);
        code.Should().Be(0, text);
        Common.Integrity.FileDigest.Sha256(path).Should().Be(before, "a check must not rewrite a released file (onnx's path-based check writes inferred shapes back)");
    }

    [Fact]
    public void Full_check_passes_on_the_ORT_fused_flavor()
    {
        var path = Path.Combine(fixture.Folder, $"fused-{Guid.NewGuid():N}.onnx");
        EncoderOnnxExporter.Save(fixture.TwoLayers, path, new OnnxExportOptions { Flavor = OnnxGraphFlavor.OnnxRuntimeFused });
        var (code, text) = OnnxChecker.Run(path);
        output.WriteLine(text);
        code.Should().Be(0, text);
    }

    [Fact]
    public void A_broken_graph_fails_with_the_checker_message()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.Release.Export.ModelPath));
        model.Graph.Node.First(n => n.OpType == "MatMul").Input[1] = "no_such_tensor";
        var path = Path.Combine(fixture.Folder, $"broken-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var (code, text) = OnnxChecker.Run(path);
        output.WriteLine(text);
        code.Should().Be(1);
        text.Should().Contain("ONNX checker failed").And.Contain("no_such_tensor");
    }
}

/// <summary>Runs release-checks/onnx_check.py with the system Python; a missing onnx module is a failure that says how to install it, never a skip.</summary>
public static class OnnxChecker
{
    public const string Python = "/usr/bin/python3";

    public static (int ExitCode, string Output) Run(string modelPath)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "release-checks", "onnx_check.py");
        File.Exists(script).Should().BeTrue($"the checker script is copied beside the tests ({script})");
        File.Exists(Python).Should().BeTrue($"{Python} is needed for the ONNX checker: install it with 'apt-get install -y python3 python3-onnx'");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(modelPath);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(120_000).Should().BeTrue("the checker finishes within two minutes");
        var text = (stdout.Result + stderr.Result).Trim();
        process.ExitCode.Should().NotBe(3, $"{Python} has no 'onnx' module; install it with 'apt-get install -y python3-onnx' (Debian/Ubuntu) or 'pip install onnx'. Checker said: {text}");
        return (process.ExitCode, text);
    }
}
