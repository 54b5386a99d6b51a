namespace MlacRelease.Inference;

/// <summary>
/// Lets many callers use a resource at once and makes disposal wait until the last one has left, so no native handle
/// is freed under a running call; after disposal every entry throws <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>Both sides write their own flag with a full fence (Interlocked) before reading the other's, so an entry
/// and a close can never both miss each other.</remarks>
internal sealed class UsageGate(string owner)
{
    private int _inside;
    private int _closed;

    public Pass Enter()
    {
        Interlocked.Increment(ref _inside);
        if (Volatile.Read(ref _closed) != 0)
        {
            Interlocked.Decrement(ref _inside);
            throw new ObjectDisposedException(owner);
        }
        return new Pass(this);
    }

    /// <summary>Refuses new entries and waits for the current ones; true the first time only.</summary>
    public bool Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return false;
        SpinWait.SpinUntil(() => Volatile.Read(ref _inside) == 0);
        return true;
    }

    public readonly struct Pass(UsageGate gate) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref gate._inside);
    }
}
