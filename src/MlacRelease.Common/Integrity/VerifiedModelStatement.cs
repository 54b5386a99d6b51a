namespace MlacRelease.Common.Integrity;

/// <summary>
/// What a model-signing bundle attests once <see cref="ModelSigningBundle.Verify"/> has checked it: the files and
/// their SHA-256 (in the order the statement lists them), the model name, the root digest over the files' digests,
/// the paths the signer excluded, and the hint of the key that signed. The caller still has to compare the files on
/// disk with <see cref="Resources"/>.
/// </summary>
public sealed record VerifiedModelStatement(
    string ModelName,
    string RootSha256Hex,
    IReadOnlyList<ModelSigningResource> Resources,
    IReadOnlyList<string> IgnorePaths,
    string KeyHint)
{
    public ModelSigningResource? Find(string name) => Resources.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));
}
