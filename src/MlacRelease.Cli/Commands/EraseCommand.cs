using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.IO;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Sources;
using MlacRelease.Core.Weights;
using MlacRelease.Training.Erasure;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac erase</c>: lexical erasure of the harmful label from the word embeddings of the tokens that carry it.</summary>
public static class EraseCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model(ModelSource.Default);
        var data = SharedOptions.Data(DataSource.Default);
        var output = new Option<string>("--out") { Description = "Folder for the erased model (Hugging Face layout, split.json, erasure.json); must not exist yet", Required = true };
        var splitSeed = new Option<ulong?>("--split-seed") { Description = "Split seed (default: the model's split.json, else 0); only the defender split is read" };
        var rank = new Option<int?>("--erase-rank") { Description = "Directions to remove (default: the fewest after which a probe reads held-out tokens' label within --erase-tolerance of the majority share)" };
        var maxRank = new Option<int>("--erase-max-rank") { Description = "Largest rank tried when the rank is chosen", DefaultValueFactory = _ => 32 };
        var tolerance = new Option<double>("--erase-tolerance") { Description = "Held-out accuracy allowed above the majority share when the rank is chosen", DefaultValueFactory = _ => 0.03 };
        var minCount = new Option<int>("--erase-min-count") { Description = "Test only tokens in at least this many defender examples", DefaultValueFactory = _ => 5 };
        var fdr = new Option<double>("--erase-fdr") { Description = "False-discovery rate of the token selection (Benjamini–Hochberg)", DefaultValueFactory = _ => 0.05 };
        var scope = new Option<ErasureScope>("--erase-scope") { Description = "Rows that lose the subspace: associated (the selected tokens only) or vocabulary (every row)", DefaultValueFactory = _ => ErasureScope.Associated };
        var (json, textField, desiredField, harmfulField) = (SharedOptions.Json(), SharedOptions.TextField(), SharedOptions.DesiredField(), SharedOptions.HarmfulField());
        var command = new Command("erase", """
            Lexical erasure: remove the harmful label from the word embeddings of the tokens that carry it. Tokens whose
            presence goes with the harmful label in the defender's split (a χ² test per token, Benjamini–Hochberg at
            --erase-fdr) are found; iterative nullspace projection (INLP) on their embedding rows finds the subspace a
            linear probe reads the label from, sized so a probe on tokens it was not fitted on reads no more than the
            majority share plus --erase-tolerance; that subspace is taken out of the rows. Nothing else in the encoder
            changes. Certify the result (mlac certify) before releasing it: erasure.json says what was found and how much
            the rows moved. Only the defender split is read, so certification's attacker and test splits stay unseen.

            Examples:
              mlac erase --data builtin:bios:10000 --out erased/                  # the built-in MiniLM
              mlac erase --model run/ --data builtin:bios:10000 --out run-erased/ # after mlac train (its split.json is kept)
            """) { model, data, output, splitSeed, rank, maxRank, tolerance, minCount, fdr, scope, json, textField, desiredField, harmfulField };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var mode = new OutputMode(result.GetValue(json), NoProgress: true);
            var options = new LexicalErasureOptions
            {
                Rank = result.GetValue(rank), MaxRank = result.GetValue(maxRank), Tolerance = result.GetValue(tolerance),
                MinCount = result.GetValue(minCount), FalseDiscoveryRate = result.GetValue(fdr), Scope = result.GetValue(scope),
            };
            var report = Erase(mode, result.GetValue(model)!, result.GetValue(data)!, SharedOptions.Schema(result, textField, desiredField, harmfulField),
                result.GetValue(output)!, result.GetValue(splitSeed), options);
            if (mode.Json) OutputMode.WriteJson(report);
            return Task.FromResult(ExitCodes.Success);
        }, cancellation));
        return command;
    }

    /// <summary>
    /// Erases into <paramref name="output"/> unless an erasure of the weights with <paramref name="sourceDigest"/>, with
    /// the same options and the source's split (so the same data), is already there, so a rerun of a pipeline (mlac demo)
    /// resumes; any other erasure (training went on since, other data or options) is stale, and the folder is written again.
    /// </summary>
    public static (LexicalErasureReport Report, bool Reused) EraseUnlessCurrent(OutputMode mode, string modelSpec, string sourceDigest, string dataSpec,
        string output, LexicalErasureOptions options)
    {
        var reportPath = Path.Combine(output, LexicalErasureReport.FileName);
        if (File.Exists(reportPath))
        {
            var previous = TryReadReport(mode, reportPath);
            var source = ModelSource.Folder(modelSpec);
            if (previous is not null && previous.SourceWeightDigest == sourceDigest && previous.Options == options &&
                SplitRecord.TryRead(output) == (source is null ? null : SplitRecord.TryRead(source)))
            {
                mode.Info($"already erased ({previous.Tokens.Count} tokens, rank {previous.Rank}): {output}");
                return (previous, true);
            }
        }
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        return (Erase(mode, modelSpec, dataSpec, DatasetSchema.Default, output, splitSeed: null, options), false);
    }

    // An unreadable record (edited by hand, or from another version) proves nothing about the folder: it is stale.
    static LexicalErasureReport? TryReadReport(OutputMode mode, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<LexicalErasureReport>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            mode.Info($"{path}: not a readable erasure record ({e.Message}); erasing again");
            return null;
        }
    }

    public static LexicalErasureReport Erase(OutputMode mode, string modelSpec, string dataSpec, DatasetSchema schema, string output, ulong? splitSeed,
        LexicalErasureOptions options)
    {
        options.Validate();
        output = Path.GetFullPath(output.TrimEnd('/', '\\'));
        if (Directory.Exists(output) || File.Exists(output)) throw new CliException($"--out {output}: already exists; erase into a new folder");
        if (!Directory.Exists(Path.GetDirectoryName(output))) throw new CliException($"--out {output}: its parent folder does not exist");
        var (weights, vocabulary, description) = ModelSource.Load(modelSpec);
        using (weights)
        {
            var dataset = DataSource.Load(dataSpec, schema);
            var source = ModelSource.Folder(modelSpec);
            var (seed, fractions) = SplitChoice.Resolve(source is null ? null : SplitRecord.TryRead(source), source is null ? "" : Path.Combine(source, SplitRecord.FileName),
                splitSeed, null, dataset.Digest, dataSpec, seedOption: "--split-seed");
            var splits = DatasetSplitter.Split(dataset, fractions, seed);
            mode.Info($"model: {description} | data: {dataSpec} ({dataset.Count:N0} examples; defender split {splits.DefenderTrain.Count:N0}, split seed {seed})");
            var tokenizer = new BertTextTokenizer(vocabulary);
            var (erased, report) = LexicalErasure.Apply(weights, tokenizer, splits.DefenderTrain, dataset.HarmfulLabels, options, mode.Info);
            using (erased)
            {
                // A hidden staging folder beside the output, renamed when complete (as mlac export stages its release).
                var partial = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.partial");
                if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
                Directory.CreateDirectory(partial);
                var digest = HuggingFaceDirectory.Save(partial, erased, vocabulary, new Dictionary<string, string>
                {
                    ["mlac.lexical_erasure.source_digest"] = report.SourceWeightDigest,
                    ["mlac.lexical_erasure.rank"] = report.Rank.ToString(CultureInfo.InvariantCulture),
                    ["mlac.dataset_digest"] = dataset.Digest,
                });
                SplitRecord.Of(splits).Write(partial);
                if (source is not null && File.Exists(HeadsFile.PathIn(source)))
                {
                    // The desired head reads hidden states the edit left alone, so it is kept as it is: every tensor and
                    // label, only re-bound to the new weights' digest. Checked as a head first, so a malformed one is
                    // refused here rather than copied.
                    var head = SafetensorsReader.Read(HeadsFile.PathIn(source));
                    using (HeadsFile.Read(head, HeadsFile.PathIn(source))) { }
                    var metadata = head.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
                    metadata[HeadsFile.WeightDigestKey] = digest;
                    SafetensorsWriter.Write(HeadsFile.PathIn(partial), head.Tensors, metadata);
                }
                report = report with { WeightDigest = digest };
                AtomicFile.WriteAllText(Path.Combine(partial, LexicalErasureReport.FileName), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }) + "\n");
                Directory.Move(partial, output);
                mode.Info($"{report.Tokens.Count} tokens, rank {report.Rank} ({report.Scope}): rows moved {report.SelectedRowsMeanChange:F3} of {report.SelectedRowsMeanNorm:F3} on average; " +
                          $"model: {output} (weights {digest})");
                return report;
            }
        }
    }
}
