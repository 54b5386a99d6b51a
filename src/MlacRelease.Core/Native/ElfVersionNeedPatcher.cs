// This one file is compiled twice: into MlacRelease.Core (MLAC_LIBRARY defined: the patcher alone, unit-tested on
// the real libLibTorchSharp.so) and by MSBuild's RoslynCodeTaskFactory from Directory.Build.targets (MLAC_LIBRARY
// undefined: the patcher plus the build task that runs it over every copy that lands in an output folder). Keeping
// one source means the tested code is the code the build runs.
//
// Why it exists: TorchSharp 0.107's libLibTorchSharp.so was linked by GCC 13 and so declares a need for
// GLIBCXX_3.4.32 (only for std::ios_base_library_init, which no relocation references). Debian 12 and Ubuntu 22.04
// ship an older libstdc++ and the loader refuses the library. A version need marked VER_FLG_WEAK is checked but
// not enforced, so flipping that one bit makes the library load there and changes nothing where libstdc++ is new.
#nullable enable
using System;
using System.IO;
using System.Text;

namespace MlacRelease.Core.Native
{
    /// <summary>What <see cref="ElfVersionNeedPatcher"/> did to an image.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>The version need was strong and is now weak.</summary>
        Patched,
        /// <summary>The version need was already weak: nothing changed.</summary>
        AlreadyWeak,
        /// <summary>The image does not need that version at all: nothing changed.</summary>
        NotNeeded,
    }

    /// <summary>
    /// Marks one symbol-version need (a <c>Vernaux</c> entry of <c>.gnu.version_r</c>) weak in a 64-bit
    /// little-endian ELF shared object, touching only the two-byte <c>vna_flags</c> field.
    /// </summary>
    public static class ElfVersionNeedPatcher
    {
        public const string TorchSharpGlibcxxNeed = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;
        private const int ElfHeaderSize = 64;
        private const int SectionHeaderSize = 64;
        private const int VerneedSize = 16;
        private const int VernauxSize = 16;
        private const long MaxImageBytes = 2L * 1024 * 1024 * 1024;

        /// <summary>Patches a file in place (atomically: temp file + rename) when, and only when, a change is needed.</summary>
        public static ElfPatchOutcome PatchFile(string path, string versionName = TorchSharpGlibcxxNeed)
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FileNotFoundException($"{path}: no such file", path);
            }
            if (info.Length > MaxImageBytes)
            {
                throw new InvalidDataException($"{path}: {info.Length} bytes is larger than any shared object this patcher expects");
            }
            var image = File.ReadAllBytes(path);
            var original = (byte[])image.Clone();
            ElfPatchOutcome outcome;
            try
            {
                outcome = MarkVersionNeedWeak(image, versionName);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
            if (outcome != ElfPatchOutcome.Patched)
            {
                return outcome;
            }
            // The patched image goes to a sibling temp file (a copy, so it keeps the original's permissions) that then
            // replaces the original by rename. An interrupted write cannot leave a half-patched library, and when the
            // output file is a hard link into the NuGet cache (Directory.Build.props) the rename gives the output its
            // own inode: the cached package file is never modified.
            var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.Copy(path, temp);
                using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    for (var i = 0; i < image.Length; i++)
                    {
                        if (image[i] == original[i]) continue;
                        stream.Seek(i, SeekOrigin.Begin);
                        stream.WriteByte(image[i]);
                    }
                    stream.Flush(true);
                }
                File.Replace(temp, path, null);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return outcome;
        }

        /// <summary>Patches an in-memory image; throws <see cref="InvalidDataException"/> for anything but a well-formed ELF64 LE object.</summary>
        public static ElfPatchOutcome MarkVersionNeedWeak(byte[] image, string versionName = TorchSharpGlibcxxNeed)
        {
            if (image is null) throw new ArgumentNullException(nameof(image));
            if (string.IsNullOrEmpty(versionName)) throw new ArgumentException("a version name is required", nameof(versionName));
            var flagsOffsets = FindVersionNeedFlags(image, versionName);
            if (flagsOffsets.Length == 0)
            {
                return ElfPatchOutcome.NotNeeded;
            }
            var changed = false;
            foreach (var offset in flagsOffsets)
            {
                var flags = U16(image, offset);
                if ((flags & VerFlgWeak) == 0)
                {
                    image[offset] = (byte)((flags | VerFlgWeak) & 0xff);
                    image[offset + 1] = (byte)((flags | VerFlgWeak) >> 8);
                    changed = true;
                }
            }
            return changed ? ElfPatchOutcome.Patched : ElfPatchOutcome.AlreadyWeak;
        }

        /// <summary>True when the image declares a strong (enforced) need for <paramref name="versionName"/>.</summary>
        public static bool HasStrongVersionNeed(byte[] image, string versionName = TorchSharpGlibcxxNeed)
        {
            foreach (var offset in FindVersionNeedFlags(image, versionName))
            {
                if ((U16(image, offset) & VerFlgWeak) == 0)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>File offsets of the vna_flags fields of every Vernaux entry named <paramref name="versionName"/>.</summary>
        public static int[] FindVersionNeedFlags(byte[] image, string versionName)
        {
            if (image.Length < ElfHeaderSize) throw new InvalidDataException("too short to be an ELF file");
            if (image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file (bad magic)");
            if (image[4] != 2) throw new InvalidDataException("not a 64-bit ELF file");
            if (image[5] != 1) throw new InvalidDataException("not a little-endian ELF file");
            var shoff = U64(image, 0x28);
            var shentsize = U16(image, 0x3A);
            var shnum = U16(image, 0x3C);
            if (shnum == 0) throw new InvalidDataException("no section headers");
            if (shentsize != SectionHeaderSize) throw new InvalidDataException($"section header size {shentsize}, expected {SectionHeaderSize}");
            CheckRange(image, shoff, (ulong)shnum * SectionHeaderSize, "section header table");

            var found = new System.Collections.Generic.List<int>();
            var sawVerneed = false;
            for (var i = 0; i < shnum; i++)
            {
                var sh = (int)shoff + i * SectionHeaderSize;
                if (U32(image, sh + 4) != ShtGnuVerneed) continue;
                if (sawVerneed) throw new InvalidDataException("more than one .gnu.version_r section");
                sawVerneed = true;
                var offset = U64(image, sh + 0x18);
                var size = U64(image, sh + 0x20);
                var link = U32(image, sh + 0x28);
                var count = U32(image, sh + 0x2C);
                CheckRange(image, offset, size, ".gnu.version_r");
                if (link >= shnum) throw new InvalidDataException($".gnu.version_r links to section {link} of {shnum}");
                var strtab = (int)shoff + (int)link * SectionHeaderSize;
                var strOffset = U64(image, strtab + 0x18);
                var strSize = U64(image, strtab + 0x20);
                CheckRange(image, strOffset, strSize, "version string table");
                CollectNeeds(image, (long)offset, (long)size, count, (long)strOffset, (long)strSize, versionName, found);
            }
            return found.ToArray();
        }

        private static void CollectNeeds(byte[] image, long sectionOffset, long sectionSize, uint count,
            long strOffset, long strSize, string versionName, System.Collections.Generic.List<int> found)
        {
            // Entries chain by relative offsets; bound the walk by the declared count and by the section so a
            // malformed file can neither loop forever nor read outside it.
            long need = 0;
            for (uint n = 0; n < count; n++)
            {
                if (need < 0 || need + VerneedSize > sectionSize) throw new InvalidDataException("Verneed entry outside .gnu.version_r");
                var vn = (int)(sectionOffset + need);
                var auxCount = U16(image, vn + 2);
                var auxOffset = U32(image, vn + 8);
                var next = U32(image, vn + 12);
                long aux = need + auxOffset;
                for (var a = 0; a < auxCount; a++)
                {
                    if (aux < 0 || aux + VernauxSize > sectionSize) throw new InvalidDataException("Vernaux entry outside .gnu.version_r");
                    var vna = (int)(sectionOffset + aux);
                    var nameOffset = U32(image, vna + 8);
                    if (NameEquals(image, strOffset, strSize, nameOffset, versionName))
                    {
                        found.Add((int)(sectionOffset + aux + 4));
                    }
                    var auxNext = U32(image, vna + 12);
                    if (auxNext == 0) break;
                    aux += auxNext;
                }
                if (next == 0) break;
                need += next;
            }
        }

        private static bool NameEquals(byte[] image, long strOffset, long strSize, uint nameOffset, string expected)
        {
            if (nameOffset >= strSize) throw new InvalidDataException($"version name offset {nameOffset} outside the string table");
            var start = strOffset + nameOffset;
            var end = start;
            var limit = strOffset + strSize;
            while (end < limit && image[end] != 0) end++;
            if (end == limit) throw new InvalidDataException("unterminated version name");
            return Encoding.ASCII.GetString(image, (int)start, (int)(end - start)) == expected;
        }

        // Little-endian reads by hand: the MSBuild task is compiled against netstandard, which lacks BinaryPrimitives.
        private static ushort U16(byte[] b, int o) => (ushort)(b[o] | (b[o + 1] << 8));

        private static uint U32(byte[] b, int o) => (uint)U16(b, o) | ((uint)U16(b, o + 2) << 16);

        private static ulong U64(byte[] b, int o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);

        private static void CheckRange(byte[] image, ulong offset, ulong size, string what)
        {
            if (offset > (ulong)image.Length || size > (ulong)image.Length - offset)
                throw new InvalidDataException($"{what} at {offset}+{size} lies outside the {image.Length}-byte file");
        }
    }

#if !MLAC_LIBRARY
    /// <summary>MSBuild task: marks the version need weak in every given file that has it (idempotent).</summary>
    public class MarkElfVersionNeedWeak : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        public string VersionName { get; set; } = ElfVersionNeedPatcher.TorchSharpGlibcxxNeed;

        public override bool Execute()
        {
            foreach (var item in Files)
            {
                var path = item.GetMetadata("FullPath");
                try
                {
                    var outcome = ElfVersionNeedPatcher.PatchFile(path, VersionName);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"{path}: {VersionName} {outcome}");
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogError($"could not make {path} loadable on older libstdc++: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
