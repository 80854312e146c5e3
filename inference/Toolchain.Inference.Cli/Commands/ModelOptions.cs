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
}
