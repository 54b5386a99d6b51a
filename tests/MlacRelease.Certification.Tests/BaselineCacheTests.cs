using System.Text;
using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Tests;

/// <summary>
/// The pretrained and random-init arms are stored by content (battery, data, split, reference weights, attack code,
/// numerics) and reused for the next model; the certificate says where each arm came from, and is otherwise the
/// uncached certificate byte for byte. Any changed input misses the cache; a damaged entry is refused.
/// </summary>
[Collection(TinyWorldCollection.Name)]
public sealed class BaselineCacheTests(TinyWorld world, BaselineCacheTests.Shared shared) : IClassFixture<BaselineCacheTests.Shared>
{
    /// <summary>The uncached tiny certification, and a cache filled by certifying another checkpoint (the pretrained
    /// encoder itself, as if it were a model) on the same battery and data.</summary>
    public sealed class Shared : IDisposable
    {
        private TinyCertification? _run;

        public TempFolder Folder { get; } = new();

        public string Cache => Folder.File("baselines");

        public CertificationResult? Filling { get; private set; }

        public TinyCertification Get(TinyWorld world)
        {
            if (_run is not null) return _run;
            _run = new TinyCertification(world);
            Filling = Certifier.RunAsync(_run.Request(Folder.File("other-model")) with { Model = world.Pretrained, BaselineCache = Cache })
                .GetAwaiter().GetResult();
            return _run;
        }

        public void Dispose()
        {
            _run?.Dispose();
            Folder.Dispose();
        }
    }

    private TinyCertification Run => shared.Get(world);

    private int ReferenceUnits(TargetRole? only = null) =>
        Plan(Run.Request(shared.Folder.File("plan"))).Units.Count(u => u.Target != TargetRole.Model && (only is null || u.Target == only));

    private static CertificationPlan Plan(CertificationRequest request) => CertificationPlanner.Plan(request);

    [Fact]
    public async Task A_cached_run_gives_the_uncached_certificate_byte_for_byte_except_the_provenance()
    {
        _ = Run;
        shared.Filling!.CachedUnits.Should().Be(0, "the cache was empty");
        var cached = await Certifier.RunAsync(Run.Request(shared.Folder.File("cached")) with { BaselineCache = shared.Cache });

        cached.CachedUnits.Should().Be(ReferenceUnits());
        var modelRuns = Plan(Run.Request(shared.Folder.File("plan"))).Rows.Where(r => r.Target == TargetRole.Model).Sum(r => r.Runs);
        cached.ComputedRuns.Should().Be(modelRuns, "only the model's own runs are computed");

        var uncachedBytes = Run.Bytes;
        var cachedBytes = File.ReadAllBytes(cached.CertificatePath);
        cachedBytes.Should().NotEqual(uncachedBytes, "the provenance differs");
        WithoutProvenance(cachedBytes).Should().Equal(WithoutProvenance(uncachedBytes));

        var uncached = CertificateSerializer.FromBytes(uncachedBytes);
        var fromCache = CertificateSerializer.FromBytes(cachedBytes);
        fromCache.Integrity.Should().Be(uncached.Integrity, "the integrity digest covers the results, not how they were obtained");
        uncached.Provenance!.Arms.Select(a => a.Source).Should().Equal(BaselineArm.Computed, BaselineArm.Computed);
        fromCache.Provenance!.Arms.Select(a => a.Source).Should().Equal(BaselineArm.FromCache, BaselineArm.FromCache);
        fromCache.Provenance.Arms.Select(a => a.CacheKey).Should().Equal(uncached.Provenance.Arms.Select(a => a.CacheKey));
        fromCache.Provenance.Arms.Select(a => a.CacheKey).Should().OnlyHaveUniqueItems();

        var verified = CertificateVerifier.Verify(cached.CertificatePath, Run.Blocked, Run.Policy);
        verified.Valid.Should().BeTrue(string.Join("; ", verified.Failures.Select(f => $"{f.Name}: {f.Detail}")));
        verified.Checks.Select(c => c.Name).Should().Contain("baseline_provenance");
    }

    /// <summary>The certificate without its provenance field, after checking the file is canonical (so this removes
    /// nothing but that field).</summary>
    private static byte[] WithoutProvenance(byte[] bytes)
    {
        var certificate = CertificateSerializer.FromBytes(bytes);
        CertificateSerializer.ToBytes(certificate).Should().Equal(bytes);
        certificate.Provenance.Should().NotBeNull();
        return CertificateSerializer.ToBytes(certificate with { Provenance = null });
    }

    [Fact]
    public void The_same_inputs_hit_the_cache_and_a_changed_battery_dataset_split_reference_or_numerics_miss_it()
    {
        var request = Run.Request(shared.Folder.File("plan")) with { BaselineCache = shared.Cache };
        Plan(request).CachedUnits.Should().Be(ReferenceUnits(), "same battery, data, split and references");

        var otherBattery = BatteryParser.Parse(TinyCertification.BatteryYaml.Replace("seed: 3", "seed: 4", StringComparison.Ordinal), "tiny-seed-4.yaml");
        Plan(request with { Battery = otherBattery }).CachedUnits.Should().Be(0, "another battery");

        var d = world.Data;
        var otherData = new CertificationData(d.AttackerTrain, d.AttackerTune, d.Test.Skip(1).ToList(), d.DesiredTrain, d.HarmfulLabels, d.DesiredLabels);
        Plan(request with { Data = otherData }).CachedUnits.Should().Be(0, "another dataset");

        var otherSplit = new CertificationData(d.AttackerTrain, d.AttackerTune, d.Test, d.DesiredTrain, d.HarmfulLabels, d.DesiredLabels, splitSeed: 1);
        Plan(request with { Data = otherSplit }).CachedUnits.Should().Be(0, "another split seed");

        // Another pretrained reference: its arm misses; the random-init twin (same configuration and battery seed) still hits.
        Plan(request with { Pretrained = Run.Blocked }).CachedUnits.Should().Be(ReferenceUnits(TargetRole.RandomInit));

        Plan(request with { ThreadsPerWorker = 2 }).CachedUnits.Should().Be(0, "results are bit-reproducible per thread count only");
    }

    [Fact]
    public void Every_key_input_changes_the_key()
    {
        var context = CertificateSerializer.FromBytes(Run.Bytes).Context;
        var baseKey = BaselineKeyInputs.Of(context, TargetRole.Pretrained, AttackCodeVersion.Current).Key();
        string Key(CertificationContext c, string version = AttackCodeVersion.Current) => BaselineKeyInputs.Of(c, TargetRole.Pretrained, version).Key();
        var changed = new Dictionary<string, string>
        {
            ["attack code"] = Key(context, "mlac.attacks/999"),
            ["battery"] = Key(context with { Battery = context.Battery with { Digest = "sha256:" + new string('1', 64) } }),
            ["dataset"] = Key(context with { Data = context.Data with { DatasetDigest = "sha256:" + new string('2', 64) } }),
            ["encoded data"] = Key(context with { Data = context.Data with { EncodedDigest = "sha256:" + new string('3', 64) } }),
            ["split seed"] = Key(context with { Data = context.Data with { SplitSeed = 9 } }),
            ["split fractions"] = Key(context with { Data = context.Data with { SplitFractions = new SplitDescription(0.8, 0.05, 0.05, 0.1) } }),
            ["reference"] = Key(context with { References = context.References with { PretrainedWeightDigest = "sha256:" + new string('4', 64) } }),
            ["configuration"] = Key(context with { Model = context.Model with { LayerNormEps = 1e-5 } }),
            ["numerics"] = Key(context with { Numerics = context.Numerics with { IntraOpThreads = 7 } }),
        };
        foreach (var (what, key) in changed) key.Should().NotBe(baseKey, $"a changed {what} must miss the cache");
        changed.Values.Should().OnlyHaveUniqueItems();

        // And nothing about the model under test is in it: not its weights, its file, nor the head it is released with
        // (a key that named the head missed the cache for every newly trained model).
        Key(context with { Model = context.Model with { WeightDigest = "sha256:" + new string('5', 64), FileDigest = "sha256:" + new string('6', 64) } })
            .Should().Be(baseKey);
        Key(context with { Model = context.Model with { HeadDigest = "sha256:" + new string('7', 64) } }).Should().Be(baseKey);
        Key(context with { Model = context.Model with { HeadDigest = null } }).Should().Be(baseKey, "keys written before heads were certified still hit");
        BaselineKeyInputs.Of(context, TargetRole.RandomInit, AttackCodeVersion.Current).Key().Should().NotBe(baseKey);
    }

    [Fact]
    public void A_damaged_or_foreign_cache_entry_is_refused_naming_the_file_and_field()
    {
        _ = Run;
        var entries = Directory.EnumerateFiles(shared.Cache, "*.json", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != BaselineCache.KeyFileName).Order(StringComparer.Ordinal).ToList();
        entries.Should().HaveCount(ReferenceUnits());

        void Refused(Func<string, string> edit, string field)
        {
            using var copy = new TempFolder();
            CopyFolder(shared.Cache, copy.Path);
            var victim = Path.Combine(copy.Path, Path.GetRelativePath(shared.Cache, entries[0]));
            File.WriteAllText(victim, edit(File.ReadAllText(victim)));
            var plan = () => Plan(Run.Request(copy.File("plan")) with { BaselineCache = copy.Path });
            plan.Should().Throw<MlacInputException>().Which.Message.Should().Contain(victim).And.Contain(field);
        }

        var original = File.ReadAllText(entries[0]);
        var unit = CanonicalJson.Deserialize<CachedBaselineUnit>(Encoding.UTF8.GetBytes(original), entries[0]).Unit;
        Refused(text => text.Replace($"\"unit\": \"{unit}\"", "\"unit\": \"pretrained/elsewhere\"", StringComparison.Ordinal), "field 'unit'");
        Refused(text => text.Replace("\"key\": \"sha256:", "\"key\": \"sha256:0", StringComparison.Ordinal), "field 'key'");
        Refused(text => text.Replace("\n", "\n ", StringComparison.Ordinal), "canonical");
        Refused(text => text[..(text.Length / 2)], "delete it to recompute");
        Refused(_ => new string(' ', (int)BaselineCache.MaxEntryBytes + 1), "bytes");
    }

    [Fact]
    public async Task An_edited_provenance_key_fails_verification()
    {
        var cached = await Certifier.RunAsync(Run.Request(shared.Folder.File("cached-for-edit")) with { BaselineCache = shared.Cache, WriteReport = false });
        var certificate = CertificateSerializer.Read(cached.CertificatePath);
        var provenance = certificate.Provenance!;
        var edited = certificate with
        {
            Provenance = provenance with { Arms = [provenance.Arms[0] with { CacheKey = "sha256:" + new string('0', 64) }, provenance.Arms[1]] },
        };
        var result = CertificateVerifier.Verify(CertificateSerializer.ToBytes(edited), "edited");
        result.Failures.Should().ContainSingle().Which.Name.Should().Be("baseline_provenance");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
