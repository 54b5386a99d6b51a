namespace MlacRelease.Inference;

/// <summary>
/// Lets many callers use a resource at once and makes disposal wait until the last one has left, so no native handle
/// is freed under a running call; after disposal every entry throws <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class UsageGate(string owner)
{
    private int _inside;
    private volatile bool _closed;
    private int _closing;

    public Pass Enter()
    {
        Interlocked.Increment(ref _inside);
        if (_closed)
        {
            Interlocked.Decrement(ref _inside);
            throw new ObjectDisposedException(owner);
        }
        return new Pass(this);
    }

    /// <summary>Refuses new entries and waits for the current ones; true the first time only.</summary>
    public bool Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1) return false;
        _closed = true;
        SpinWait.SpinUntil(() => Volatile.Read(ref _inside) == 0);
        return true;
    }

    public readonly struct Pass(UsageGate gate) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref gate._inside);
    }
}
