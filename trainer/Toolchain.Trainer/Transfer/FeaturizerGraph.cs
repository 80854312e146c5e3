namespace Toolchain.Trainer.Transfer;

/// <summary>
/// An ONNX graph that turns pictures into backbone outputs: it takes uint8 RGB pixels, [N,3,H,W] with a dynamic batch
/// (<see cref="BackboneGraphs.WriteFeaturizer"/> with pixel input), does the backbone's own preprocessing (channel
/// order, scale, mean) inside, and exposes the outputs a run needs (the pooled features; for fine-tuning the last
/// stage, also the activations where that stage starts).
/// </summary>
/// <param name="Path">The graph's file.</param>
/// <param name="InputName">Its pixel input.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="Outputs">The outputs to compute, by name.</param>
public sealed record FeaturizerGraph(string Path, string InputName, int Height, int Width, IReadOnlyList<string> Outputs);
