namespace Toolchain.Trainer.Transfer;

/// <summary>
/// An ONNX graph that turns pictures into backbone outputs: it takes float32 RGB pixels in 0–255, [N,3,H,W] with a
/// dynamic batch, does the backbone's own preprocessing (channel order, mean, scale) inside, and exposes the outputs
/// a run needs (the pooled features; for fine-tuning also the activations where the trainable part starts).
/// </summary>
/// <param name="Path">The graph's file.</param>
/// <param name="InputName">Its pixel input.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="Outputs">The outputs to compute, by name.</param>
public sealed record FeaturizerGraph(string Path, string InputName, int Height, int Width, IReadOnlyList<string> Outputs);
