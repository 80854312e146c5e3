using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Data.Images;
using Toolchain.Data.Tables;
using Toolchain.Inference.Cli.Evaluation;
using Toolchain.Inference.Cli.Inputs;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Quantization.Calibration;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Quantizing;

/// <summary>
/// Reads <c>--calibration</c> into model-ready examples: an IDX dataset (its training split, so the test split stays
/// unseen), an image folder of class folders (its training split), a folder or pattern of loose pictures (prepared as
/// <c>infer classify</c> prepares them), or a CSV table (the model's feature columns). A random <c>--samples</c> of them
/// (seed 0) is kept.
/// </summary>
internal static class CalibrationLoader
{
    public static CalibrationData Load(string source, OnnxModel model, int samples, string dataRoot, CliConsole console)
    {
        var info = model.Info;
        var card = info.Card ?? throw new ToolchainException("the model has no card to prepare calibration examples by");
        if (card.FeatureNames.Count > 0 || TableDataset.IsTable(source))
        {
            return FromTable(source, card, info.FeatureCount, samples);
        }
        if (info.InputShape.Count != 4)
        {
            throw new ToolchainException($"--calibration {source}: the model takes feature vectors; give a CSV table with its columns");
        }
        if (ImageFolderDataset.IsImageFolder(source))
        {
            var options = new ImageFolderOptions
            {
                Channels = (int)info.InputShape[1],
                ImageSize = $"{info.InputShape[2]}x{info.InputShape[3]}",
            };
            var data = ImageFolderDataset.Load(source, options, console.Notice).Dataset;
            return FromImages(Path.GetFullPath(source), data.Train.Count > 0 ? data.Train : data.Test, info, samples);
        }
        if (File.Exists(source) || source.Contains('*', StringComparison.Ordinal) || (Directory.Exists(source) && !Directory.EnumerateFiles(source, "*-ubyte*").Any()))
        {
            return FromPictures(source, model, samples);
        }
        var dataset = DatasetResolver.Load(source, dataRoot, console.Notice);
        return FromImages(dataset.Name, dataset.Train.Count > 0 ? dataset.Train : dataset.Test, info, samples);
    }

    /// <summary>A seeded random choice of <paramref name="samples"/> of <paramref name="count"/> indices, in order.</summary>
    private static int[] Choose(int count, int samples)
    {
        if (count == 0)
        {
            return [];
        }
        var indices = Enumerable.Range(0, count).ToArray();
        new Random(0).Shuffle(indices);
        return indices.Take(Math.Min(samples, count)).Order().ToArray();
    }

    private static CalibrationData FromImages(string name, ImageSet images, ModelInfo info, int samples)
    {
        var chosen = Choose(images.Count, samples);
        var size = images.ImageSize;
        var ready = new ModelReadyImages(info, images);
        var values = new float[chosen.Length * size];
        for (var i = 0; i < chosen.Length; i++)
        {
            ready.Write(chosen[i], 1, values.AsSpan(i * size, size));
        }
        return new CalibrationData(name, values, chosen.Length);
    }

    private static CalibrationData FromPictures(string source, OnnxModel model, int samples)
    {
        var inputs = ImagePathExpander.Expand([source]).ToList();
        if (inputs.FirstOrDefault(i => i.Error is not null) is { } bad)
        {
            throw new ToolchainException($"--calibration {bad.Path}: {bad.Error}");
        }
        var preprocessor = ImageClassifier.PreprocessorFor(model.Info);
        var width = preprocessor.OutputLength;
        var chosen = Choose(inputs.Count, samples);
        var values = new float[chosen.Length * width];
        for (var i = 0; i < chosen.Length; i++)
        {
            var path = inputs[chosen[i]].Path;
            preprocessor.Process(File.ReadAllBytes(path), path, values.AsSpan(i * width, width));
        }
        return new CalibrationData(Path.GetFullPath(source), values, chosen.Length);
    }

    private static CalibrationData FromTable(string source, ModelCard card, int width, int samples)
    {
        if (card.FeatureNames.Count != width)
        {
            throw new ToolchainException($"--calibration {source}: the model's card names no feature columns to read from a table");
        }
        var file = Directory.Exists(source) ? Path.Combine(source, TableDataset.TrainFile) : source;
        using var table = CsvTable.Open(file);
        var columns = TableDataset.ColumnsOf(table, card.FeatureNames);
        var (means, stds) = card.NormalizationFor(width);
        // Reservoir sampling (seed 0) over the streamed rows: a random --samples of any number of rows in bounded memory.
        var random = new Random(0);
        var kept = new List<float[]>();
        var seen = 0;
        foreach (var (line, fields) in table.Rows())
        {
            TableDataset.RequireWidth(table, line, fields);
            var slot = seen < samples ? seen : random.Next(seen + 1);
            seen++;
            if (slot >= samples)
            {
                continue;
            }
            var row = new float[width];
            for (var f = 0; f < width; f++)
            {
                row[f] = (float)((TableDataset.Cell(table, line, fields, columns[f]) - means[f]) / stds[f]);
            }
            if (slot < kept.Count)
            {
                kept[slot] = row;
            }
            else
            {
                kept.Add(row);
            }
        }
        var values = kept.SelectMany(r => r).ToArray();
        return new CalibrationData(Path.GetFullPath(file), values, kept.Count);
    }

    /// <summary>"512 examples" / "1 example".</summary>
    public static string Examples(int n) => n.ToString("N0", CultureInfo.InvariantCulture) + (n == 1 ? " example" : " examples");
}
