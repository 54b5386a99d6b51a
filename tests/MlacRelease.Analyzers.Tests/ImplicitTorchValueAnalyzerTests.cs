using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using TorchSharp;

namespace MlacRelease.Analyzers.Tests;

/// <summary>MLAC0001 on sources compiled against the TorchSharp this repository builds with.</summary>
public sealed class ImplicitTorchValueAnalyzerTests
{
    [Theory]
    [InlineData("var y = t * 0.5;")]
    [InlineData("var y = 0.5 * t;")]
    [InlineData("var y = 1 - t;")]
    [InlineData("var y = t / 2;")]
    [InlineData("var y = t.pow(2);")]
    [InlineData("var y = t.clamp_min(1e-30);")]
    [InlineData("t.add_(1e-3f);")]
    [InlineData("var y = t > 0.0;")]
    [InlineData("var y = t.masked_fill(t.gt(t), double.NegativeInfinity);")]
    [InlineData("torch.Tensor y = 2.0;")]
    [InlineData("t += 0.5;")]
    [InlineData("t *= 2;")]
    [InlineData("var y = t.sum().ToDouble();")]
    [InlineData("var y = t.max().ToSingle();")]
    [InlineData("var y = t.any().ToBoolean();")]
    public void A_number_that_becomes_a_native_value_without_being_held_is_reported(string statement)
    {
        var diagnostics = Analyze(statement);
        diagnostics.Should().ContainSingle(d => d.Id == ImplicitTorchValueAnalyzer.Id, statement);
        diagnostics.Single().GetMessage().Should().Contain("implicitly");
    }

    [Theory]
    [InlineData("using var o = torch.optim.Adam([new TorchSharp.Modules.Parameter(t)], 1e-3);")]
    [InlineData("using var o = torch.optim.SGD([new TorchSharp.Modules.Parameter(t)], 0.1);")]
    [InlineData("var y = torch.normal(0.0, 1.0, [3]);")]
    public void A_torchsharp_api_that_makes_unheld_scalars_inside_is_reported(string statement) =>
        Analyze(statement).Should().ContainSingle(d => d.Id == ImplicitTorchValueAnalyzer.LibraryId, statement);

    [Theory]
    [InlineData("var y = t * t + t;")]
    [InlineData("using var s = 0.5.ToScalar(); var y = t.mul(s) - t.pow(s);")]
    [InlineData("var y = t.sum(); var z = Math.Sqrt(2.0) * 3;")]
    [InlineData("using var s = 2.ToScalar(); var y = t > s;")]
    [InlineData("using var w = torch.tensor(0.1); var y = t.lerp(t, w);")]
    [InlineData("t += t; using var s = t.sum().ToScalar(); var y = s.ToDouble();")]
    public void Held_values_and_plain_arithmetic_are_not_reported(string statement) =>
        Analyze(statement).Should().BeEmpty(statement);

    private static ImmutableArray<Diagnostic> Analyze(string statement)
    {
        var source = $$"""
            using System;
            using TorchSharp;
            using static TorchSharp.torch;
            public static class Probe
            {
                public static void Run(Tensor t)
                {
                    {{statement}}
                }
            }
            """;
        var compilation = CSharpCompilation.Create(
            "probe",
            [CSharpSyntaxTree.ParseText(source)],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        errors.Should().BeEmpty("the probe source must compile for the analyzer's verdict to mean anything");
        return compilation.WithAnalyzers([new ImplicitTorchValueAnalyzer()])
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    // The framework's reference set is this test host's own (trusted platform assemblies) plus TorchSharp.
    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return platform.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) == "netstandard.dll" || Path.GetFileName(p) == "mscorlib.dll")
            .Append(typeof(torch).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
    }
}
