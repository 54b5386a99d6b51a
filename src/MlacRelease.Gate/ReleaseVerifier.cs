using MlacRelease.Common.Release;

namespace MlacRelease.Gate;

/// <summary>
/// <c>mlac verify</c>: the gate's first two checks alone (the manifest's signature with a trusted key, then every file
/// against the manifest and nothing else in the folder), for whoever receives a release and wants to know it is the
/// one its publisher signed, without the certificate, the policy or the structure.
/// </summary>
public static class ReleaseVerifier
{
    /// <summary>The "signature" and "manifest digests" checks of <paramref name="releaseFolder"/> against the key at
    /// <paramref name="publicKeyPath"/>. A folder that fails them is a failed result, not an exception; errors that are
    /// not about the release (an unreadable key file, say) still throw, so the caller reports them as such.</summary>
    public static GateResult Verify(string releaseFolder, string publicKeyPath)
    {
        var checks = new List<GateCheck>();
        try
        {
            var snapshot = ReleaseSnapshot.Open(releaseFolder, ReleaseTrust.SignedBy(publicKeyPath));
            checks.Add(new GateCheck(ReleaseGate.CheckNames[0], true, snapshot.Signature));
            checks.Add(new GateCheck(ReleaseGate.CheckNames[1], true, $"{snapshot.Manifest.Files.Count} files match manifest.json and the folder holds nothing else"));
        }
        catch (ReleaseIntegrityException e)
        {
            checks.Add(new GateCheck(e.IsSignatureFailure ? ReleaseGate.CheckNames[0] : ReleaseGate.CheckNames[1], false, e.Message));
        }
        return new GateResult(checks);
    }
}
