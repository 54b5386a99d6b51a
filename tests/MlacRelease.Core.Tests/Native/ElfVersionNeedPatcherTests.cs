using System.Runtime.InteropServices;
using MlacRelease.Core.Native;

namespace MlacRelease.Core.Tests.Native;

public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private readonly TempFolder _folder = new("mlac-elf-");

    public void Dispose() => _folder.Dispose();

    /// <summary>The untouched file as NuGet delivered it (the build output holds the patched copy).</summary>
    private static string PackagedShim()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        File.Exists(path).Should().BeTrue($"the TorchSharp package restores to {path}");
        return path;
    }

    private string CopyOfPackagedShim()
    {
        var copy = Path.Combine(_folder.Path, "libLibTorchSharp.so");
        File.Copy(PackagedShim(), copy, overwrite: true);
        return copy;
    }

    [Fact]
    public void Packaged_shim_declares_a_strong_need_that_the_patch_makes_weak_by_changing_one_flag_field()
    {
        var path = CopyOfPackagedShim();
        var before = File.ReadAllBytes(path);
        ElfVersionNeedPatcher.HasStrongVersionNeed(before).Should().BeTrue("TorchSharp 0.107 was linked against GCC 13's libstdc++");

        ElfVersionNeedPatcher.PatchFile(path).Should().Be(ElfPatchOutcome.Patched);

        var after = File.ReadAllBytes(path);
        after.Length.Should().Be(before.Length);
        ElfVersionNeedPatcher.HasStrongVersionNeed(after).Should().BeFalse();
        var flagOffsets = ElfVersionNeedPatcher.FindVersionNeedFlags(after, ElfVersionNeedPatcher.TorchSharpGlibcxxNeed);
        flagOffsets.Should().ContainSingle();
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        changed.Should().ContainSingle().Which.Should().BeInRange(flagOffsets[0], flagOffsets[0] + 1);
        (after[flagOffsets[0]] & 0x2).Should().Be(0x2, "VER_FLG_WEAK is bit 1 of vna_flags");
    }

    [Fact]
    public void Patching_twice_is_a_no_op()
    {
        var path = CopyOfPackagedShim();
        ElfVersionNeedPatcher.PatchFile(path).Should().Be(ElfPatchOutcome.Patched);
        var once = File.ReadAllBytes(path);
        var stamp = File.GetLastWriteTimeUtc(path);

        ElfVersionNeedPatcher.PatchFile(path).Should().Be(ElfPatchOutcome.AlreadyWeak);

        File.ReadAllBytes(path).Should().Equal(once);
        File.GetLastWriteTimeUtc(path).Should().Be(stamp, "an already-weak file is not rewritten");
    }

    [Fact]
    public void The_copy_in_this_test_output_was_patched_by_the_build()
    {
        var shims = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        shims.Should().NotBeEmpty();
        foreach (var shim in shims)
        {
            ElfVersionNeedPatcher.HasStrongVersionNeed(File.ReadAllBytes(shim)).Should().BeFalse($"{shim} must load on Debian 12");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string created);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Patching_a_hard_link_leaves_the_other_name_untouched_and_keeps_the_permissions()
    {
        // Build outputs hard-link package files from the NuGet cache; patching the output must not patch the cache.
        var cached = CopyOfPackagedShim();
        File.SetUnixFileMode(cached, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        var output = Path.Combine(_folder.Path, "output-libLibTorchSharp.so");
        link(cached, output).Should().Be(0, $"link(2) failed with errno {Marshal.GetLastPInvokeError()}");
        var before = File.ReadAllBytes(cached);

        ElfVersionNeedPatcher.PatchFile(output).Should().Be(ElfPatchOutcome.Patched);

        File.ReadAllBytes(cached).Should().Equal(before, "the other name of the hard link is the cache's file");
        ElfVersionNeedPatcher.HasStrongVersionNeed(File.ReadAllBytes(output)).Should().BeFalse();
        File.GetUnixFileMode(output).Should().Be(File.GetUnixFileMode(cached));
        Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("the temp file was renamed into place");
    }

    [Fact]
    public void A_library_without_that_need_is_left_alone()
    {
        var libc = new[] { "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6" }.FirstOrDefault(File.Exists);
        libc.Should().NotBeNull("every glibc system has libm");
        var copy = Path.Combine(_folder.Path, "libm.so.6");
        File.Copy(libc!, copy);
        var before = File.ReadAllBytes(copy);
        ElfVersionNeedPatcher.PatchFile(copy).Should().Be(ElfPatchOutcome.NotNeeded);
        File.ReadAllBytes(copy).Should().Equal(before);
    }

    [Theory]
    [InlineData("not an elf file at all, just some text that is long enough to have a header........")]
    [InlineData("\u007fELF")]
    public void Files_that_are_not_the_expected_ELF_are_refused(string content)
    {
        var path = Path.Combine(_folder.Path, "bogus.so");
        File.WriteAllText(path, content);
        var act = () => ElfVersionNeedPatcher.PatchFile(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
        File.ReadAllText(path).Should().Be(content);
    }

    [Fact]
    public void A_truncated_shim_is_refused_not_corrupted()
    {
        var full = File.ReadAllBytes(PackagedShim());
        var truncated = full.AsSpan(0, 4096).ToArray();
        var path = Path.Combine(_folder.Path, "truncated.so");
        File.WriteAllBytes(path, truncated);
        var act = () => ElfVersionNeedPatcher.PatchFile(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*outside*");
        File.ReadAllBytes(path).Should().Equal(truncated);
    }

    [Fact]
    public void A_32_bit_or_big_endian_header_is_refused()
    {
        var image = File.ReadAllBytes(PackagedShim()).AsSpan(0, 4096).ToArray();
        image[4] = 1;
        ((Action)(() => ElfVersionNeedPatcher.MarkVersionNeedWeak(image))).Should().Throw<InvalidDataException>().WithMessage("*64-bit*");
        image[4] = 2;
        image[5] = 2;
        ((Action)(() => ElfVersionNeedPatcher.MarkVersionNeedWeak(image))).Should().Throw<InvalidDataException>().WithMessage("*little-endian*");
    }
}
