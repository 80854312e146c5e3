using System.Globalization;
using CommandLine;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Cli;

/// <summary>The <c>trainer export</c> command: re-exports a checkpoint to ONNX without retraining.</summary>
public static class ExportCommand
{
    /// <summary>The options of <c>trainer export</c>.</summary>
    public sealed class Arguments : IExportInputOption, IDataDirOption
    {
        /// <summary>Checkpoint to export.</summary>
        [Option("checkpoint", Required = true, HelpText = "checkpoint written by 'trainer train'")]
        public string Checkpoint { get; set; } = "";

        /// <summary>ONNX file to write.</summary>
        [Option("out", HelpText = "ONNX file to write (default: model.onnx beside the checkpoint)")]
        public string? Out { get; set; }

        /// <summary>What the exported graph takes: float (default) or uint8 pixels.</summary>
        public string? Input { get; set; }

        /// <summary>Where catalog datasets live, for verification inputs.</summary>
        public string? DataDir { get; set; }
    }

    /// <summary>Runs the command with the words after its name; returns the exit code.</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command writing to the given streams.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var a = CommandArguments.Parse<Arguments>("export", args, output, error, out int code);
        if (a is null)
        {
            return code;
        }
        try
        {
            // Paths are checked before the checkpoint is read, so a bad --out fails at once rather than after loading.
            var checkpointPath = CommandArguments.PathOption("--checkpoint", a.Checkpoint)!;
            var outPath = Path.GetFullPath(CommandArguments.PathOption("--out", a.Out)
                ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, "model.onnx"));
            if (Directory.Exists(outPath))
            {
                throw new UsageException($"option '--out' names the folder {outPath}; give the ONNX file to write, e.g. {Path.Combine(outPath, "model.onnx")}");
            }
            // A folder made for the file is removed again if the export fails before writing it.
            using var created = CreatedFolders.Track(Path.GetDirectoryName(outPath)!);
            var dataRoot = IDataDirOption.FolderOf(a);
            var pixelInput = IExportInputOption.IsPixels(a);
            if (OutputFolder.RemoveStaleTemporaryFiles(Path.GetDirectoryName(outPath)!) is { } removed)
            {
                output.WriteLine(removed);
            }
            var checkpoint = Training.Checkpoint.Load(checkpointPath);
            using var model = checkpoint.Model;
            var card = checkpoint.Card;
            var options = (checkpoint.Options ?? ModelPresets.Default(BuiltInModel.Mlp)) with { Dataset = checkpoint.DatasetSpec, DataSeed = card.DataSeed ?? 0 };
            var request = new DataRequest(checkpoint.DatasetSpec, dataRoot, options, card.NormalizationFor(checkpoint.InputShape.Count == 3 ? (int)checkpoint.InputShape[0] : 1))
            {
                CacheDirectory = Path.GetFullPath(Path.Combine("artifacts", "cache")),
            };
            var (data, _) = TrainingDataLoader.Load(request, CPU, output.WriteLine);
            using (data)
            {
                checkpoint.CheckFits(data);
                var result = ModelExport.Export(model, checkpoint.Spec, card, data, outPath, pixelInput);
                output.WriteLine($"exported {result.Summary}");
                return ExitCodes.Ok;
            }
        }
        catch (UsageException e)
        {
            error.WriteLine($"trainer export: {e.Message} (see 'trainer export --help')");
            return ExitCodes.Failed;
        }
        catch (ToolchainException e)
        {
            error.WriteLine($"trainer export: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"trainer export: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
