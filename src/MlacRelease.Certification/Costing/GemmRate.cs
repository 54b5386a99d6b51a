using System.Diagnostics;
using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Costing;

/// <summary>
/// What the attack code achieves against what the hardware does on its own: the rate of one plain matrix product
/// of the shape that dominates the encoder (a batch of tokens times the feed-forward weight), at the same thread
/// count, and the floating-point work of one token pass through the encoder.
/// </summary>
public static class GemmRate
{
    /// <summary>Multiply-adds of one token's forward pass through the dense layers (attention projections and the
    /// feed-forward pair), counted as 2 flops each. Attention scores (2·T·H per layer at T tokens) and the embedding
    /// lookup are left out: at the tens of tokens these batteries use, they are a few percent.</summary>
    public static double FlopsPerTokenPass(EncoderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double h = config.HiddenSize, i = config.IntermediateSize;
        return 2.0 * config.NumHiddenLayers * (4 * h * h + 2 * h * i);
    }

    /// <summary>Times [rows × hidden] · [hidden × intermediate] in fp32 on <paramref name="device"/> until at least
    /// <paramref name="minimumSeconds"/> have passed (after one warm-up product), and returns GFLOP/s.</summary>
    public static MeasuredGemm Measure(EncoderConfig config, int rows, Device device, double minimumSeconds = 0.5)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7, device);
        var a = rand([rows, config.HiddenSize], ScalarType.Float32, device, generator: generator);
        var b = rand([config.HiddenSize, config.IntermediateSize], ScalarType.Float32, device, generator: generator);
        mm(a, b).Dispose();
        var watch = Stopwatch.StartNew();
        var products = 0;
        while (watch.Elapsed.TotalSeconds < minimumSeconds || products < 3)
        {
            var product = mm(a, b);
            products++;
            // A copy to the host waits for an accelerator's queue, so the clock sees the work and not just its launch.
            if (product.device_type != TorchSharp.DeviceType.CPU) product.cpu().Dispose();
            product.Dispose();
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var flops = 2.0 * rows * config.HiddenSize * config.IntermediateSize * products;
        return new MeasuredGemm(rows, config.HiddenSize, config.IntermediateSize, products, flops / seconds / 1e9);
    }
}

/// <param name="GflopsPerSecond">Wall-clock rate of the product (single-threaded runs: wall and CPU agree).</param>
public sealed record MeasuredGemm(int Rows, int Inner, int Columns, int Products, double GflopsPerSecond);
