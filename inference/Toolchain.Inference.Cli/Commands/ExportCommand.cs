using System.Text.RegularExpressions;
using CommandLine;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Cli.Export;
using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Commands;

[Verb("export", HelpText = "Export a model for another server: 'infer export triton --model M --out REPO' writes a Triton model repository.")]
internal sealed class ExportOptions : INoVerifyOption
{
    // Defaults are the service's own batching defaults, so the model batches on Triton as it does behind our service.
    private static readonly BatchingOptions ServiceDefaults = new();

    [Value(0, MetaName = "FORMAT", Required = true, HelpText = "What to write: triton.")]
    public string Format { get; set; } = "";

    [Option('m', "model", Required = true, HelpText = "ONNX model file with a model card.")]
    public string Model { get; set; } = "";

    [Option("out", Required = true, HelpText = "Model repository folder (created if needed; other models in it are left alone).")]
    public string Out { get; set; } = "";

    [Option("name", HelpText = "Model name, the folder under the repository (default: the model file's folder name, e.g. cnn for artifacts/cnn/model.onnx).")]
    public string? Name { get; set; }

    [Option("max-batch", HelpText = "max_batch_size (default 64, as the service's Classifier:Batching:MaxBatchSize).")]
    public int? MaxBatch { get; set; }

    [Option("instances", HelpText = "Model instances (default 2, as the service's Classifier:Batching:Instances).")]
    public int? Instances { get; set; }

    [Option("max-queue-delay-us", Default = 100, HelpText = "Dynamic batching's max_queue_delay_microseconds.")]
    public long MaxQueueDelayUs { get; set; }

    [Option("version", HelpText = "Version folder to write (default: one above the highest the model folder holds, 1 for a new model); an existing version is never overwritten.")]
    public long? Version { get; set; }

    [Option("gpu", HelpText = "Run the instances on GPUs (KIND_GPU) instead of CPUs (KIND_CPU).")]
    public bool Gpu { get; set; }

    /// <inheritdoc />
    public bool NoVerify { get; set; }

    public int MaxBatchOrDefault => MaxBatch ?? ServiceDefaults.MaxBatchSize;

    public int InstancesOrDefault => Instances ?? ServiceDefaults.Instances;
}

/// <summary>Writes a model as a Triton model repository entry that both Triton and our service (--model-repository) load.</summary>
internal static partial class ExportCommand
{
    public static int Run(ExportOptions o, CliConsole console)
    {
        if (o.Format != "triton")
        {
            throw new ToolchainException($"export format must be triton, not '{o.Format}'");
        }
        var name = o.Name ?? DefaultName(o.Model);
        if (!ModelName().IsMatch(name) || name is "." or "..")
        {
            throw new ToolchainException($"--name must be letters, digits, '.', '_' or '-' (a folder name Triton accepts), not '{name}'");
        }
        if (o.MaxBatchOrDefault is < 1 or > 65536)
        {
            throw new ToolchainException($"--max-batch must be between 1 and 65536, not {o.MaxBatchOrDefault}");
        }
        if (o.InstancesOrDefault is < 1 or > 256)
        {
            throw new ToolchainException($"--instances must be between 1 and 256, not {o.InstancesOrDefault}");
        }
        if (o.MaxQueueDelayUs is < 0 or > 60_000_000)
        {
            throw new ToolchainException($"--max-queue-delay-us must be between 0 and 60000000, not {o.MaxQueueDelayUs}");
        }
        if (o.Version is < 1)
        {
            throw new ToolchainException($"--version must be 1 or more, not {o.Version}");
        }
        using var created = OutputFolder.Create(o.Out, $"--out {o.Out}");
        // Loading checks the card against the graph and the integrity record: a file our service would refuse is not exported.
        using var model = ModelLoader.Load(o.Model, ExecutionProvider.Cpu, threads: 1, console, verify: !o.NoVerify);
        if (model.Info.IsForeign)
        {
            throw new InvalidInputFileException(o.Model, "has no model card; a Triton configuration is written from the card's input, outputs and labels");
        }
        var config = TritonModelConfig.For(name, model.Info, o.MaxBatchOrDefault, o.InstancesOrDefault, o.MaxQueueDelayUs, o.Gpu);
        // labels.txt names the output's columns: a classifier's classes, or a regression's targets (no label_filename refers to them).
        var columns = model.Info.Task == ModelTask.Regression ? model.Info.Card.TargetNames : model.Info.Labels;
        var export = TritonRepositoryWriter.Write(o.Out, config, o.Model, columns, o.Version);
        console.Out.WriteLine(export.ModelPath);
        console.Out.WriteLine(Path.Combine(export.Folder, TritonRepositoryWriter.ConfigFileName));
        console.Out.WriteLine(Path.Combine(export.Folder, TritonModelConfig.LabelFileName));
        if (export.Existing.Count > 0)
        {
            var highest = export.Existing[^1];
            console.Notice(export.Version > highest
                ? $"{export.Folder}: wrote version {export.Version}, after the highest there, {highest}; Triton and the service serve the highest"
                : $"{export.Folder}: wrote version {export.Version}, below the highest there, {highest}, which Triton and the service go on serving");
        }
        return ExitCodes.Ok;
    }

    /// <summary>artifacts/cnn/model.onnx is "cnn"; any other file is named by its own name without the extension.</summary>
    private static string DefaultName(string modelPath)
    {
        var full = Path.GetFullPath(modelPath);
        return Path.GetFileNameWithoutExtension(full) == "model" && Path.GetFileName(Path.GetDirectoryName(full)) is { Length: > 0 } folder
            ? folder
            : Path.GetFileNameWithoutExtension(full);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex ModelName();
}
