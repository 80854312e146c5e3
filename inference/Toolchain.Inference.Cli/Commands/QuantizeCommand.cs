using System.Globalization;
using CommandLine;
using Toolchain.Cli;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Cli.Quantizing;
using Toolchain.Inference.Quantization;
using Toolchain.Inference.Quantization.Calibration;

namespace Toolchain.Inference.Cli.Commands;

[Verb("quantize", HelpText = "Quantize a float32 model to INT8 (static QDQ calibrated on --calibration, or --dynamic) or float16 (--fp16); " +
    "it is evaluated against the float32 model and refused, unwritten, when it loses more than --max-drop points.")]
internal sealed class QuantizeOptions : ModelOptions, IDataRootOption
{
    [Option("calibration", HelpText = "Examples to calibrate on: a dataset name or IDX folder (its training split), an image folder, loose pictures (folder or pattern) or a CSV table.")]
    public string? Calibration { get; set; }

    [Option("out", HelpText = "The quantized file (default: beside the model, model.int8.onnx or model.fp16.onnx).")]
    public string? Out { get; set; }

    [Option("samples", Default = 512, HelpText = "Calibration examples, chosen at random (seed 0).")]
    public int Samples { get; set; }

    [Option("method", Default = "minmax", HelpText = "Calibration: minmax, percentile (99.999% of |x|) or entropy (KL, as TensorRT).")]
    public string Method { get; set; } = "minmax";

    [Option("activations", Default = "uint8", HelpText = "Static INT8 activations: uint8 (U8S8, what ONNX Runtime's x86 kernels run) or int8 (S8S8, for runtimes that want it).")]
    public string Activations { get; set; } = "uint8";

    [Option("exclude", HelpText = "Nodes to keep in float32, comma-separated (default: tried with and without the first Conv and the last layer; the more accurate wins).")]
    public string? Exclude { get; set; }

    [Option("max-drop", Default = 1.0, HelpText = "The most accuracy, in points, the quantized model may lose on the test data.")]
    public double MaxDrop { get; set; }

    [Option("dataset", HelpText = "Test data for the accuracy check (default: the card's own, as 'infer eval' finds it; required for a model without a card).")]
    public string? Dataset { get; set; }

    [Option("dynamic", HelpText = "Dynamic INT8: weights only, activations quantized at run time; no calibration (table MLPs).")]
    public bool Dynamic { get; set; }

    [Option("fp16", HelpText = "float16 weights and arithmetic with float32 inputs and outputs, for GPU serving.")]
    public bool Fp16 { get; set; }

    /// <inheritdoc />
    public string? DataRoot { get; set; }
}

/// <summary>Parses the options, loads the data and prints what <see cref="ModelQuantizer"/> did.</summary>
internal static class QuantizeCommand
{
    public static int Run(QuantizeOptions o, CliConsole console)
    {
        if (o.Dynamic && o.Fp16)
        {
            throw new ToolchainException("--dynamic and --fp16 are different formats; choose one");
        }
        var format = o.Fp16 ? QuantizationFormat.Float16 : o.Dynamic ? QuantizationFormat.Int8Dynamic : QuantizationFormat.Int8Qdq;
        var method = EnumText.Parse<CalibrationMethod>(o.Method)
            ?? throw new ToolchainException($"--method must be {EnumText.Choices<CalibrationMethod>()}, not '{o.Method}'");
        if (o.Activations is not ("uint8" or "int8"))
        {
            throw new ToolchainException($"--activations must be uint8 or int8, not '{o.Activations}'");
        }
        if (o.Samples is < 1 or > 100_000)
        {
            throw new ToolchainException($"--samples must be 1 to 100000, not {o.Samples}");
        }
        if (!(o.MaxDrop >= 0) || double.IsInfinity(o.MaxDrop))
        {
            throw new ToolchainException($"--max-drop must be 0 or more points, not {o.MaxDrop.ToString(CultureInfo.InvariantCulture)}");
        }
        if (format == QuantizationFormat.Int8Qdq && o.Calibration is null)
        {
            throw new ToolchainException("--calibration is required for static INT8 (or pass --dynamic for weights only, or --fp16)");
        }
        var described = ModelLoader.Describe(o.Model, console);
        if (described.IsForeign && o.Dataset is null)
        {
            throw new ToolchainException(
                $"{o.Model}: has no toolchain model card, so there is no test data to check the quantized model against; " +
                "pass --dataset (and --input-shape, --mean, --std, --labels to say how it reads its input)");
        }
        // Quantizing is CPU work: calibration, evaluation and timing all run on the CPU, whatever --provider says.
        using var model = ModelLoader.Load(o.Model, ExecutionProvider.Cpu, o.Threads, console, o.ForeignInput(), verify: !o.NoVerify);
        var card = model.Info.IsForeign
            ? model.Info.Card with { DatasetName = o.Dataset!, ToolchainVersion = ModelCard.CurrentVersion }
            : model.Info.Card;
        var dataRoot = IDataRootOption.FolderOf(o);
        var calibration = o.Calibration is null ? null : CalibrationLoader.Load(o.Calibration, model, o.Samples, dataRoot, console);
        var output = o.Out ?? DefaultOutput(o.Model, format);
        if (Path.GetFullPath(output) == Path.GetFullPath(o.Model))
        {
            throw new ToolchainException($"--out {output} is the model itself; the float32 model is kept, so write elsewhere");
        }
        var options = new QuantizationOptions
        {
            Format = format,
            Method = method,
            SignedActivations = o.Activations == "int8",
            Calibration = calibration,
            Exclude = o.Exclude?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            MaxDrop = o.MaxDrop,
            Threads = o.Threads,
            Progress = console.Notice,
        };
        using var evaluator = new QuantizeEvaluator(o, console);
        var result = ModelQuantizer.Quantize(o.Model, card, output, options, evaluator.Evaluate);
        QuantizeReport.Print(result, o.MaxDrop, console);
        return ExitCodes.Ok;
    }

    /// <summary>model.onnx → model.int8.onnx (model.fp16.onnx) beside it.</summary>
    private static string DefaultOutput(string model, QuantizationFormat format) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model))!,
            $"{Path.GetFileNameWithoutExtension(model)}.{(format == QuantizationFormat.Float16 ? "fp16" : "int8")}.onnx");
}
