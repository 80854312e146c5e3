using Toolchain.Cli;
using Toolchain.Trainer.Onnx;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// The hidden <c>trainer onnx-check FILE</c> command: loads an exported model in a fresh ONNX Runtime session and
/// runs a random batch through it. Tests use it to prove an export loads outside the process that wrote it.
/// </summary>
public static class OnnxCheckCommand
{
    /// <summary>Runs the command with the words after its name; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: trainer onnx-check FILE");
            return ExitCodes.Failed;
        }
        Console.Out.WriteLine(OnnxFileCheck.Check(args[0]));
        return ExitCodes.Ok;
    }
}
