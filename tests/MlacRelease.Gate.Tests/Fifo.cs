using System.Runtime.InteropServices;

namespace MlacRelease.Gate.Tests;

/// <summary>mkfifo(3): .NET has no API to create a named pipe, and the gate's defence is against exactly that file type.</summary>
internal static class Fifo
{
    public static int Make(string path) => mkfifo(path, Convert.ToUInt32("644", 8));

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);
}
