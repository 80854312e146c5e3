using CommandLine;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>Options every command that loads a model shares.</summary>
internal abstract class ModelOptions
{
    [Option('m', "model", Required = true, HelpText = "ONNX model file.")]
    public string Model { get; set; } = "";

    [Option("provider", Default = ExecutionProvider.Auto, HelpText = "Execution provider: auto, cpu or cuda.")]
    public ExecutionProvider Provider { get; set; }

    [Option("threads", Default = 0, HelpText = "Intra-op threads (0: ONNX Runtime decides).")]
    public int Threads { get; set; }

    [Option("input-shape", Separator = ',', HelpText = "Foreign models (no model card): input shape without the batch axis, e.g. 1,28,28.")]
    public IEnumerable<long> InputShape { get; set; } = [];

    [Option("mean", Default = 0.0, HelpText = "Foreign models: normalisation mean of pixels scaled to [0,1].")]
    public double Mean { get; set; }

    [Option("std", Default = 1.0, HelpText = "Foreign models: normalisation std.")]
    public double Std { get; set; }

    [Option("labels", Separator = ',', HelpText = "Foreign models: class names, comma-separated (default 0, 1, ...).")]
    public IEnumerable<string> Labels { get; set; } = [];

    /// <summary>What the user said about a foreign model's input, or null when they said nothing.</summary>
    public ForeignModelInput? ForeignInput()
    {
        var shape = InputShape.ToArray();
        if (shape.Length == 0)
        {
            return null;
        }
        var labels = Labels.ToArray();
        return new ForeignModelInput([-1, .. shape], Mean, Std, labels.Length == 0 ? null : labels,
            shape.Length == 3 ? "digit" : "none");
    }
}
