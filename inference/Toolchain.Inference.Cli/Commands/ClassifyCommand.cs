using System.Globalization;
using System.Text;
using CommandLine;
using Toolchain.Cli;
using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Cli.Inputs;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

[Verb("classify", HelpText = "Classify image files (PNG, JPEG, BMP, GIF, WebP); arguments may be files, directories or patterns.")]
internal sealed class ClassifyOptions : ModelOptions
{
    [Value(0, MetaName = "FILE|DIR|GLOB", Min = 1, HelpText = "Images to classify; a directory gives its images at any depth (a folder of class folders too).")]
    public IEnumerable<string> Inputs { get; set; } = [];

    [Option('k', "top-k", Default = 0, HelpText = "Also show the K most probable classes.")]
    public int TopK { get; set; }

    [Option("json", HelpText = "Print one JSON object per image.")]
    public bool Json { get; set; }

    [Option("raw", HelpText = "Take 28x28 MNIST-style images as they are (no centring); the same as --mode none.")]
    public bool Raw { get; set; }

    [Option("mode", HelpText = "Preprocessing: digit (MNIST centring), resize (fit the whole picture) or none (as it is); default from the model card.")]
    public string? Mode { get; set; }

    [Option("max-megapixels", Default = 40.0, HelpText = "Refuse images over this many megapixels, before decoding them.")]
    public double MaxMegapixels { get; set; }

    [Option("shard", HelpText = "i/N: classify only part i (0-based) of N of the expanded file list, dealt round-robin; the N parts of one argument list are disjoint and cover it (for sharded batch jobs).")]
    public string? Shard { get; set; }

    [Option("max-side", Default = 16384, HelpText = "Refuse images wider or taller than this many pixels, before decoding them.")]
    public int MaxSide { get; set; }
}

/// <summary>Classifies images one line each; a failing image gets its own error line and the others go on.</summary>
internal static class ClassifyCommand
{
    // Images are decoded and classified in small groups so memory stays flat however many files are named.
    private const int GroupSize = 32;

    public static int Run(ClassifyOptions o, CliConsole console)
    {
        if (o.TopK < 0)
        {
            throw new ToolchainException($"--top-k must be 0 or more, not {o.TopK}");
        }
        if (o.Raw && o.Mode is not null)
        {
            throw new ToolchainException("--raw and --mode cannot be used together");
        }
        PreprocessingMode? mode = o.Raw ? PreprocessingMode.None : null;
        if (o.Mode is not null)
        {
            mode = EnumText.Parse<PreprocessingMode>(o.Mode)
                ?? throw new ToolchainException($"--mode must be {EnumText.Choices<PreprocessingMode>()}, not '{o.Mode}'");
        }
        if (!(o.MaxMegapixels > 0) || o.MaxMegapixels > 1e6 || o.MaxSide < 1)
        {
            throw new ToolchainException($"--max-megapixels must be over 0 (up to 1000000) and --max-side at least 1 (got {o.MaxMegapixels.ToString(CultureInfo.InvariantCulture)} and {o.MaxSide})");
        }
        var shard = Shard.Parse(o.Shard);
        var limits = new ImageLimits { MaxPixels = (long)Math.Round(o.MaxMegapixels * 1e6), MaxSide = o.MaxSide };
        using var model = ModelLoader.Load(o, console);
        if (model.Info.InputShape.Count != 4)
        {
            throw new ToolchainException($"{o.Model}: the model takes feature vectors, not images; use 'infer predict'");
        }
        ImageClassifier classifier;
        try
        {
            classifier = new ImageClassifier(model, mode, imageLimits: limits);
        }
        catch (ToolchainException e)
        {
            // The library does not know the file's name; the user needs it.
            throw new InvalidInputFileException(o.Model, e.Message, e);
        }
        using var owned = classifier;
        var width = model.FeatureCount;

        var failed = 0;
        var group = new List<ImageInput>(GroupSize);
        var buffer = new float[GroupSize * width];
        foreach (var input in shard.Of(ImagePathExpander.Expand(o.Inputs, console.Notice)))
        {
            group.Add(input);
            if (group.Count == GroupSize)
            {
                failed += ClassifyGroup(group, model, classifier, buffer, width, o, console);
                group.Clear();
            }
        }
        failed += ClassifyGroup(group, model, classifier, buffer, width, o, console);
        return failed == 0 ? ExitCodes.Ok : ExitCodes.PartlyFailed;
    }

    private static int ClassifyGroup(List<ImageInput> group, OnnxModel model, ImageClassifier classifier, float[] buffer, int width, ClassifyOptions o, CliConsole console)
    {
        if (group.Count == 0)
        {
            return 0;
        }
        var errors = new string?[group.Count];
        var slots = new int[group.Count];
        var ready = 0;
        for (var i = 0; i < group.Count; i++)
        {
            errors[i] = group[i].Error;
            if (errors[i] is not null)
            {
                continue;
            }
            try
            {
                classifier.Preprocessor.Process(DigitPreprocessor.ReadFile(group[i].Path, classifier.Preprocessor.Limits), group[i].Path, buffer.AsSpan(ready * width, width));
                slots[i] = ready++;
            }
            catch (InvalidInputFileException e)
            {
                errors[i] = e.Problem;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors[i] = CliConsole.OneLine(e.Message);
            }
        }
        var inputs = buffer.AsSpan(0, ready * width);
        var predictions = ready == 0 ? [] : model.Classify(inputs, ready);
        var failed = 0;
        for (var i = 0; i < group.Count; i++)
        {
            if (errors[i] is null && predictions[slots[i]].Probabilities.Any(float.IsNaN))
            {
                errors[i] = PredictCommand.NaNProblem;
            }
            if (errors[i] is { } problem)
            {
                failed++;
                if (o.Json)
                {
                    console.Out.WriteLine(JsonLine.Of(new InputErrorJson(group[i].Path, null, problem)));
                }
                else
                {
                    console.Fail($"{group[i].Path}: {problem}");
                }
                continue;
            }
            var p = predictions[slots[i]];
            console.Out.WriteLine(o.Json ? ToJson(group[i].Path, p, o.TopK, model.Info.Labels) : ToText(group[i].Path, p, o.TopK, model.Info.Labels));
        }
        return failed;
    }

    private static string ToText(string path, Prediction p, int topK, IReadOnlyList<string> labels)
    {
        // Paths and class names come from folder names, which may hold a tab, a newline or a terminal escape: escaped,
        // each image stays one line of tab-separated fields.
        var sb = new StringBuilder();
        sb.Append(TerminalText.Escape(path)).Append('\t').Append(TerminalText.Escape(p.LabelName)).Append('\t').Append(Num(p.Confidence));
        if (topK > 0)
        {
            sb.Append("\ttop-").Append(topK).Append(": ");
            sb.AppendJoin(", ", p.TopK(topK).Select(t => $"{TerminalText.Escape(Name(labels, t.Label))} {Num(t.Probability)}"));
        }
        return sb.ToString();
    }

    private static string ToJson(string path, Prediction p, int topK, IReadOnlyList<string> labels) =>
        JsonLine.Of(new ClassifiedJson(path, p.Label, p.LabelName, Math.Round(p.Confidence, 6),
            topK > 0 ? [.. p.TopK(topK).Select(t => new ClassProbabilityJson(t.Label, Name(labels, t.Label), Math.Round(t.Probability, 6)))] : null));

    private static string Name(IReadOnlyList<string> labels, int label) =>
        (uint)label < (uint)labels.Count ? labels[label] : label.ToString(CultureInfo.InvariantCulture);

    private static string Num(float v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
