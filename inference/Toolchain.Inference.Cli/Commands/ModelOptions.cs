using System.Globalization;
using CommandLine;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>How a model is run: options of every command that loads one (eval-all loads several).</summary>
internal abstract class RuntimeOptions : INoVerifyOption
{
    [Option("provider", Default = ExecutionProvider.Auto, HelpText = "Execution provider: auto, cpu or cuda.")]
    public ExecutionProvider Provider { get; set; }

    [Option("threads", Default = 0, HelpText = "Intra-op threads (0: ONNX Runtime decides).")]
    public int Threads { get; set; }

    /// <inheritdoc />
    public bool NoVerify { get; set; }
}

/// <summary>Options every command that loads one model file shares.</summary>
internal abstract class ModelOptions : RuntimeOptions
{
    [Option('m', "model", Required = true, HelpText = "ONNX model file.")]
    public string Model { get; set; } = "";

    // One string parsed by us, not a CommandLineParser sequence: a sequence option also swallows the positional
    // arguments after it ("--input-shape 2 f.csv" took f.csv as a second dimension).
    [Option("input-shape", HelpText = "Foreign models (no model card): input shape without the batch axis, e.g. 1,28,28.")]
    public string? InputShape { get; set; }

    [Option("mean", Default = 0.0, HelpText = "Foreign models: normalisation mean of pixels scaled to [0,1].")]
    public double Mean { get; set; }

    [Option("std", Default = 1.0, HelpText = "Foreign models: normalisation std.")]
    public double Std { get; set; }

    [Option("labels", HelpText = "Foreign models: class names, comma-separated (default 0, 1, ...).")]
    public string? Labels { get; set; }

    /// <summary>What the user said about a foreign model's input, or null when they said nothing.</summary>
    public ForeignModelInput? ForeignInput()
    {
        if (InputShape is null)
        {
            return null;
        }
        var shape = ParseShape(InputShape);
        var labels = ParseLabels(Labels);
        return new ForeignModelInput
        {
            InputShape = [-1, .. shape],
            Mean = Mean,
            Std = Std,
            Labels = labels,
            PreprocessingMode = shape.Length == 3 ? PreprocessingMode.Digit : PreprocessingMode.None,
        };
    }

    /// <summary>Parses "1,28,28": one or more positive sizes separated by commas.</summary>
    public static long[] ParseShape(string text)
    {
        var fields = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new long[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
            {
                throw new ToolchainException(
                    $"--input-shape must be positive sizes separated by commas, without the batch axis (e.g. 1,28,28), not '{text}'");
            }
        }
        return shape;
    }

    /// <summary>Parses "cat,dog": class names separated by commas; null when none were given.</summary>
    public static string[]? ParseLabels(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var labels = text.Split(',', StringSplitOptions.TrimEntries);
        if (labels.Any(l => l.Length == 0))
        {
            throw new ToolchainException($"--labels must be class names separated by commas, none of them empty, not '{text}'");
        }
        return labels;
    }
}
