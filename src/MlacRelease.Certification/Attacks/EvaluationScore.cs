namespace MlacRelease.Certification.Attacks;

/// <summary>Accuracy on a split and, for a binary task, the area under the ROC curve of the positive-class score.</summary>
public sealed record EvaluationScore(double Accuracy, double? Auroc);
