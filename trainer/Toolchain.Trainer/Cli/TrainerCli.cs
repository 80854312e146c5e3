using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Cli;

/// <summary>Entry point of the <c>trainer</c> executable: dispatches the first word to its command.</summary>
public static class TrainerCli
{
    /// <summary>Usage, printed for no or an unknown command.</summary>
    public const string Usage = """
        usage: trainer <command> [options]

        commands:
          train <xor|mlp|cnn> [options]   train a model and export it to ONNX
          train transfer --dataset DIR    train a head on a pretrained backbone (resnet18), optionally fine-tuning it
          export --checkpoint PATH        re-export a checkpoint to ONNX
          data fetch <mnist|fashion-mnist> [--dir DIR]
          data info <name|DIR>

        Run 'trainer <command> --help' for a command's options.
        """;

    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }
        if (args[0] == "--version")
        {
            Console.Out.WriteLine(Contracts.ModelCard.CurrentVersion);
            return ExitCodes.Ok;
        }
        var rest = args[1..];
        if (args[0] is "train" or "export" or "onnx-check")
        {
            QuietOrtLogging(); // only commands that run ONNX Runtime pay for loading it
        }
        if (args[0] != "train")
        {
            // train handles Ctrl-C and SIGTERM itself: the first one checkpoints, the second cleans up.
            TemporaryPaths.DeleteOnTermination();
        }
        try
        {
            return args[0] switch
            {
                "train" when rest.Length > 0 && rest[0] == TransferCommand.Name => TransferCommand.Run(rest[1..]),
                "train" => TrainCommand.Run(rest),
                "export" => ExportCommand.Run(rest),
                "data" => DataCommand.Run(rest),
                "onnx-check" => OnnxCheckCommand.Run(rest), // hidden: out-of-process load check of an export
                _ => UnknownCommand(args[0]),
            };
        }
        catch (Exception) when (TemporaryPaths.Ending)
        {
            // Ctrl-C or SIGTERM arrived while files were being written; TemporaryPaths removed the partial ones, which
            // is what made the write fail. The code is the one the signal itself would have ended the process with.
            Console.Error.WriteLine("trainer: interrupted");
            return ExitCodes.ForSignal(TemporaryPaths.EndingSignal);
        }
        catch (ToolchainException e)
        {
            Console.Error.WriteLine($"trainer: {TerminalText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"trainer: {TerminalText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else is a bug (bad input is validated into ToolchainExceptions), but the user still gets one
            // line rather than a stack trace.
            Console.Error.WriteLine($"trainer: unexpected error ({e.GetType().Name}): {e.Message.Split('\n', 2)[0].Trim()}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// Export verification runs ONNX Runtime; at its default warning level it prints a coloured stderr line when it cannot
    /// persist its telemetry id (unwritable home folder), and at error level a red line with source paths before a graph
    /// it cannot load, whose reason the exception already carries; so the process creates its environment at fatal level.
    /// </summary>
    private static void QuietOrtLogging()
    {
        if (!Microsoft.ML.OnnxRuntime.OrtEnv.IsCreated)
        {
            var options = new Microsoft.ML.OnnxRuntime.EnvironmentCreationOptions
            {
                logLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            };
            Microsoft.ML.OnnxRuntime.OrtEnv.CreateInstanceWithOptions(ref options);
        }
    }

    private static int UnknownCommand(string name)
    {
        Console.Error.WriteLine($"trainer: unknown command '{name}'");
        Console.Error.WriteLine(Usage);
        return ExitCodes.Failed;
    }
}
