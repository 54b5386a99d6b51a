using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Core.Tests.Model;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Tests.Weights;

public sealed class HuggingFaceDirectoryTests : IDisposable
{
    private readonly TempFolder _folder = new("mlac-hf-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Save_then_load_gives_bitwise_equal_tensors_and_the_same_digest()
    {
        using var weights = EncoderWeights.RandomInit(EncoderConfig.BertTiny with { VocabSize = 1000 }, seed: 21);
        var digest = HuggingFaceDirectory.Save(_folder.Path, weights, "[PAD]\n[UNK]\n");
        File.Exists(Path.Combine(_folder.Path, "config.json")).Should().BeTrue();
        var (loaded, vocabulary) = HuggingFaceDirectory.Load(_folder.Path);
        using (loaded)
        {
            vocabulary.Should().Be("[PAD]\n[UNK]\n");
            loaded.Config.Should().Be(weights.Config);
            loaded.Tensors.Keys.Should().BeEquivalentTo(weights.Tensors.Keys);
            foreach (var name in weights.Tensors.Keys) TensorAssert.Identical(loaded[name], weights[name]).Should().BeTrue(name);
            loaded.Digest().Should().Be(digest).And.Be(weights.Digest());
        }
    }

    [Fact]
    public void Digest_changes_when_one_weight_changes()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config, seed: 2);
        var before = weights.Digest();
        using (TorchSharp.torch.no_grad()) HeldScalars.With(1e-6f, s => weights["encoder.layer.1.output.dense.bias"][3].add_(s));
        weights.Digest().Should().NotBe(before);
    }

    [Fact]
    public void A_tampered_weights_file_is_refused_with_the_file_named()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config, seed: 3);
        HuggingFaceDirectory.Save(_folder.Path, weights, "v\n");
        var path = Path.Combine(_folder.Path, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        ((Action)(() => HuggingFaceDirectory.Load(_folder.Path))).Should().Throw<MlacInputException>().WithMessage($"*{path}*digest*");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config, seed: 3);
        HuggingFaceDirectory.Save(_folder.Path, weights, "v\n");
        File.Delete(Path.Combine(_folder.Path, "config.json"));
        ((Action)(() => HuggingFaceDirectory.Load(_folder.Path))).Should().Throw<FileNotFoundException>().WithMessage("*config.json*missing*");
    }
}
