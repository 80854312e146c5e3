using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// Loads an exported file in a fresh ONNX Runtime (CPU) session, reads its model card and runs a random batch
/// through it, checking the outputs have the shapes and ranges the card promises. It backs <c>trainer onnx-check</c>.
/// The card is read, checked against the graph and its integrity record verified by the inference library, as every
/// consumer of the file does; only the raw-output checks are the exporter's own.
/// </summary>
public static class OnnxFileCheck
{
    /// <summary>
    /// Checks <paramref name="path"/> with a batch of <paramref name="batch"/> random inputs and returns a one-line summary;
    /// throws <see cref="InvalidInputFileException"/> naming the file and the problem.
    /// </summary>
    public static string Check(string path, int batch = 3)
    {
        var options = new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        var info = OnnxModel.Describe(path, options);
        var card = info.IsForeign ? throw new InvalidInputFileException(path, "has no toolchain model card in its metadata") : info.Card;
        if (info.Integrity.Status == IntegrityStatus.Failed)
        {
            throw new InvalidInputFileException(path, $"fails its integrity check ({info.Integrity.Detail})");
        }
        var (session, _) = SessionFactory.Create(path, options);
        using (session)
        {
            var shape = card.InputShape.Select(d => d < 0 ? batch : d).ToArray();
            var names = card.ProbabilitiesName is { } p ? new[] { card.OutputName, p } : [card.OutputName];
            var random = new Random(7);
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => random.NextDouble()).ToArray();
            using var runOptions = new RunOptions();
            using var input = card.ElementType == ElementType.Float64
                ? OrtValue.CreateTensorValueFromMemory(values, shape)
                : OrtValue.CreateTensorValueFromMemory(values.Select(v => (float)v).ToArray(), shape);
            IDisposableReadOnlyCollection<OrtValue> results;
            try
            {
                results = session.Run(runOptions, [card.InputName], [input], names);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidInputFileException(path, $"does not run on its card's input {card.InputName} {Shape(shape)}: {e.Message.Split('\n', 2)[0].Trim()}", e);
            }
            using (results)
            {
                var described = new List<string>();
                int k = 0;
                foreach (var result in results)
                {
                    var outShape = result.GetTensorTypeAndShape().Shape;
                    var data = card.ElementType == ElementType.Float64
                        ? result.GetTensorDataAsSpan<double>().ToArray()
                        : result.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray();
                    Validate(path, card, names[k], outShape, data, batch);
                    described.Add($"{names[k]} {Shape(outShape)}");
                    k++;
                }
                string parity = card.ExportParity is { } d ? d.ToString("0.0E+0", CultureInfo.InvariantCulture) : "n/a";
                return $"{path}: ok: {EnumText.Of(card.Task)}, {card.Labels.Count} labels, input {card.InputName} {Shape(shape)} {EnumText.Of(card.ElementType)}, " +
                    $"outputs {string.Join(", ", described)}, export parity {parity}";
            }
        }
    }

    private static void Validate(string path, ModelCard card, string name, long[] shape, double[] data, int batch)
    {
        long width = card.Task == ModelTask.Multiclass ? card.Labels.Count : 1;
        if (shape.Length != 2 || shape[0] != batch || shape[1] != width)
        {
            throw new InvalidInputFileException(path, $"output {name} has shape {Shape(shape)}, expected {Shape([batch, width])}");
        }
        if (data.Any(v => !double.IsFinite(v)))
        {
            throw new InvalidInputFileException(path, $"output {name} is not finite");
        }
        bool isProbability = name == card.ProbabilitiesName || card.Task == ModelTask.Binary;
        if (isProbability && data.Any(v => v is < 0 or > 1))
        {
            throw new InvalidInputFileException(path, $"output {name} has values outside [0,1]");
        }
        if (name == card.ProbabilitiesName && data.Chunk((int)width).Any(row => Math.Abs(row.Sum() - 1) > 1e-4))
        {
            throw new InvalidInputFileException(path, $"output {name} has rows that do not sum to 1");
        }
    }

    private static string Shape(IEnumerable<long> shape) => "[" + string.Join(',', shape) + "]";
}
