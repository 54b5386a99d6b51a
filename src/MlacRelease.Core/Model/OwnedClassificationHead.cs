namespace MlacRelease.Core.Model;

/// <summary>A <see cref="ClassificationHead"/> whose tensors the holder owns: read from a file or a graph, disposed with it.</summary>
public sealed class OwnedClassificationHead(ClassificationHead head) : IDisposable
{
    public ClassificationHead Head { get; } = head;

    public void Dispose()
    {
        Head.Weight.Dispose();
        Head.Bias?.Dispose();
    }
}
