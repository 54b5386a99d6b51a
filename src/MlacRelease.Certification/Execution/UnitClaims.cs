namespace MlacRelease.Certification.Execution;

/// <summary>
/// Which worker process runs which unit: a worker claims a unit by creating claims/&lt;unit&gt;.claim exclusively
/// (CreateNew is atomic on a local file system), so processes sharing an output folder split the units between them
/// dynamically, largest first, without a coordinator. The parent clears stale claims before it starts workers, and
/// after they end runs any claimed unit that has no result (its worker crashed).
/// </summary>
internal sealed class UnitClaims(string folder)
{
    private readonly string _folder = Path.Combine(folder, "claims");

    public bool TryClaim(WorkUnit unit)
    {
        Directory.CreateDirectory(_folder);
        try
        {
            using var stream = new FileStream(Path.Combine(_folder, unit.Slug + ".claim"), FileMode.CreateNew, FileAccess.Write, FileShare.None);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return true;
        }
        catch (IOException) when (File.Exists(Path.Combine(_folder, unit.Slug + ".claim")))
        {
            return false;
        }
    }

    public void Clear()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
