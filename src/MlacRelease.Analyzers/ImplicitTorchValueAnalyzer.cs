using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MlacRelease.Analyzers;

/// <summary>
/// MLAC0001: no implicit conversion of a C# number to <c>TorchSharp.Scalar</c> (or to a tensor).
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns <c>t * 0.5</c> into a Scalar that nothing holds during the native call and only a finalizer
/// frees. The finalizer thread can free it while libtorch still reads it: CI saw "Unknown scalar type" and a test host
/// that died without a message (sessions of 2026-12-04 and 2026-12-06). dotnet/TorchSharp#1434 fixes this upstream and
/// is not released. Until it is, every such value is created explicitly and disposed after the call
/// (<c>MlacRelease.Core.Numerics.HeldScalars</c>), which this rule enforces at compile time.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ImplicitTorchValueAnalyzer : DiagnosticAnalyzer
{
    public const string Id = "MLAC0001";

    private static readonly DiagnosticDescriptor Rule = new(
        Id,
        "Implicit conversion to a TorchSharp native value",
        "'{0}' is converted to {1} implicitly; nothing keeps that native value alive during the call and only a finalizer frees it, which can free it under libtorch. Use MlacRelease.Core.Numerics.HeldScalars (Times, Plus, Value, With…) or a Scalar held by using var.",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: null);

    /// <summary>MLAC0002: a TorchSharp API that makes such Scalars inside the library (torch.optim's optimisers, whose
    /// step() passes β, ε and the learning rate unheld; torch.normal).</summary>
    public const string LibraryId = "MLAC0002";

    private static readonly DiagnosticDescriptor LibraryRule = new(
        LibraryId,
        "TorchSharp API that passes unheld Scalars to libtorch",
        "{0} passes numbers to libtorch as Scalars only a finalizer frees, inside TorchSharp; use {1}",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: null);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, LibraryRule);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeConversion, OperationKind.Conversion);
        context.RegisterOperationAction(AnalyzeOperator, OperationKind.Binary);
        context.RegisterOperationAction(AnalyzeCompound, OperationKind.CompoundAssignment);
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
    }

    // t += 0.5 is the same operator, seen by Roslyn as a compound assignment.
    private static void AnalyzeCompound(OperationAnalysisContext context)
    {
        var compound = (ICompoundAssignmentOperation)context.Operation;
        var method = compound.OperatorMethod;
        if (method is null || !IsTorchNativeValue(method.ContainingType)) return;
        if (method.Parameters.Any(p => IsNumber(p.Type)))
            context.ReportDiagnostic(Diagnostic.Create(Rule, compound.Syntax.GetLocation(), compound.Value.Syntax.ToString(), "Scalar"));
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        var owner = method.ContainingType;
        // torch.optim's factories (its learning-rate schedulers live in the nested torch.optim.lr_scheduler, not here).
        if (owner.Name == "optim" && owner.ContainingType is { } outer && IsTorch(outer))
            context.ReportDiagnostic(Diagnostic.Create(LibraryRule, invocation.Syntax.GetLocation(), $"torch.optim.{method.Name}", "MlacRelease.Core.Numerics.HeldOptimizer"));
        else if (IsTorch(owner) && method.Name == "normal")
            context.ReportDiagnostic(Diagnostic.Create(LibraryRule, invocation.Syntax.GetLocation(), "torch.normal", "MlacRelease.Core.Model.NormalInit.Draw"));
        else if (IsValueRead(method))
            context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), invocation.Syntax.ToString(), "Scalar"));
    }

    // TorchSharp's t.ToDouble() (and ToSingle, ToInt64, ToBoolean…) is value.ToScalar().ToDouble(): the Scalar it reads
    // through is the same unheld native value. HeldScalars.Value holds it.
    private static bool IsValueRead(IMethodSymbol method) =>
        method.IsExtensionMethod && method.ContainingType.Name == "TensorExtensionMethods" && IsTorchSharp(method.ContainingNamespace)
        && method.Name.StartsWith("To", System.StringComparison.Ordinal) && IsNumber(method.ReturnType)
        && method.Parameters.FirstOrDefault()?.Type is INamedTypeSymbol receiver && IsTorchNativeValue(receiver);

    // TorchSharp's own operator overloads for numbers (Tensor * double, 1 - Tensor, Tensor > 0f...) make the same
    // unheld Scalar inside the library, out of this rule's sight, so the operator itself is reported.
    private static void AnalyzeOperator(OperationAnalysisContext context)
    {
        var binary = (IBinaryOperation)context.Operation;
        var method = binary.OperatorMethod;
        if (method is null || !IsTorchNativeValue(method.ContainingType)) return;
        foreach (var parameter in method.Parameters)
        {
            if (!IsNumber(parameter.Type)) continue;
            var operand = parameter.Ordinal == 0 ? binary.LeftOperand : binary.RightOperand;
            context.ReportDiagnostic(Diagnostic.Create(Rule, binary.Syntax.GetLocation(), operand.Syntax.ToString(), "Scalar"));
            return;
        }
    }

    private static bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_Double or SpecialType.System_Single
        or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte
        or SpecialType.System_SByte or SpecialType.System_Boolean;

    private static void AnalyzeConversion(OperationAnalysisContext context)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (!conversion.IsImplicit || !conversion.Conversion.IsUserDefined) return;
        var target = conversion.OperatorMethod?.ContainingType;
        if (target is null || !IsTorchNativeValue(target)) return;
        context.ReportDiagnostic(Diagnostic.Create(
            Rule, conversion.Syntax.GetLocation(), conversion.Operand.Syntax.ToString(), target.Name));
    }

    private static bool IsTorchNativeValue(INamedTypeSymbol type) =>
        (type.Name == "Scalar" && IsTorchSharp(type.ContainingNamespace))
        || (type.Name == "Tensor" && type.ContainingType is { } outer && IsTorch(outer));

    /// <summary>TorchSharp's static class <c>torch</c>.</summary>
    private static bool IsTorch(INamedTypeSymbol type) => type.Name == "torch" && IsTorchSharp(type.ContainingNamespace);

    private static bool IsTorchSharp(INamespaceSymbol? ns) => ns?.ToDisplayString() == "TorchSharp";
}
