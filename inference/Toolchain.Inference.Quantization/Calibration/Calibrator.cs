using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Toolchain.Contracts;

namespace Toolchain.Inference.Quantization.Calibration;

/// <summary>
/// Observes activation tensors by running ONNX Runtime over the calibration examples with those tensors exposed as
/// extra graph outputs, and chooses each one's quantization range by <see cref="CalibrationMethod"/>: one pass for
/// min-max, a second one for the histograms of percentile and entropy.
/// </summary>
/// <remarks>
/// The sessions here run a rewritten graph that the inference library's session factory never sees: it is not a model
/// of ours (no card) and its outputs are the intermediate tensors, which <see cref="Runtime.OnnxModel"/> does not expose.
/// </remarks>
internal static class Calibrator
{
    /// <summary>The most values one calibration run feeds (a batch of 64 MNIST digits, or 6 ResNet images).</summary>
    private const int ValuesPerRun = 1 << 20;

    /// <summary>The share of |x| the percentile method keeps (ONNX Runtime's default, 99.999%).</summary>
    public const double PercentileKept = 0.99999;

    /// <summary>
    /// The chosen range of each of <paramref name="tensors"/> that holds float32 values, observed over
    /// <paramref name="data"/>; tensors ONNX Runtime gives in another type are left out.
    /// </summary>
    public static Dictionary<string, ActivationRange> Run(ModelProto model, IReadOnlyCollection<string> tensors, CalibrationData data,
        CalibrationMethod method, int threads, CancellationToken cancellationToken)
    {
        var augmented = model.Clone();
        var graph = augmented.Graph;
        var existing = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensors.Where(t => !existing.Contains(t)))
        {
            graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            IntraOpNumThreads = Math.Max(0, threads),
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(augmented.ToByteArray(), options);
        var input = session.InputMetadata.Single(kv => graph.Input.Any(i => i.Name == kv.Key && !graph.Initializer.Any(t => t.Name == kv.Key)));
        var names = tensors.Where(t => session.OutputMetadata.TryGetValue(t, out var m) && m.ElementDataType == TensorElementType.Float).ToArray();
        var featureDims = input.Value.Dimensions.Skip(1).Select(d => (long)d).ToArray();
        var featureCount = (int)featureDims.Aggregate(1L, (a, b) => a * b);
        data.Require(featureCount);
        var batch = Math.Clamp(ValuesPerRun / Math.Max(1, featureCount), 1, 64);
        if (input.Value.Dimensions[0] > 0)
        {
            batch = input.Value.Dimensions[0];
        }
        var run = new BatchRunner(session, input.Key, input.Value.ElementDataType, featureDims, names, data, batch);

        var min = names.ToDictionary(n => n, _ => float.PositiveInfinity, StringComparer.Ordinal);
        var max = names.ToDictionary(n => n, _ => float.NegativeInfinity, StringComparer.Ordinal);
        run.ForEach((name, values) =>
        {
            float lo = min[name], hi = max[name];
            foreach (var v in values)
            {
                if (v < lo)
                {
                    lo = v;
                }
                if (v > hi)
                {
                    hi = v;
                }
            }
            (min[name], max[name]) = (lo, hi);
        }, cancellationToken);
        var seen = names.Where(n => float.IsFinite(min[n]) && float.IsFinite(max[n])).ToArray();
        if (method == CalibrationMethod.MinMax)
        {
            return seen.ToDictionary(n => n, n => new ActivationRange(min[n], max[n]), StringComparer.Ordinal);
        }

        var histograms = seen.ToDictionary(n => n, n => new AbsHistogram(Math.Max(Math.Abs(min[n]), Math.Abs(max[n]))), StringComparer.Ordinal);
        run.ForEach((name, values) =>
        {
            if (histograms.TryGetValue(name, out var h))
            {
                h.Add(values);
            }
        }, cancellationToken);
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return seen.ToDictionary(n => n, n =>
        {
            if (inputs.Contains(n))
            {
                // The model's input is the data itself, bounded by its own normalisation: clipping it would change
                // what the model is shown (the ink of a digit saturated to the background's level), so it keeps its range.
                return new ActivationRange(min[n], max[n]);
            }
            var threshold = method == CalibrationMethod.Percentile ? histograms[n].Percentile(PercentileKept) : histograms[n].EntropyThreshold(unsigned: min[n] >= 0);
            return new ActivationRange(Math.Max(min[n], -threshold), Math.Min(max[n], threshold));
        }, StringComparer.Ordinal);
    }

    /// <summary>Runs the calibration examples batch by batch and hands each exposed tensor's values to a callback.</summary>
    private sealed class BatchRunner(InferenceSession session, string inputName, TensorElementType inputType, long[] featureDims,
        string[] outputs, CalibrationData data, int batch)
    {
        private readonly int _featureCount = (int)featureDims.Aggregate(1L, (a, b) => a * b);

        public void ForEach(Action<string, ReadOnlySpan<float>> observe, CancellationToken cancellationToken)
        {
            var buffer = new float[batch * _featureCount];
            for (var start = 0; start < data.Count; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // A graph with a fixed batch size is fed full batches, the last one wrapping round to the first examples.
                var n = session.InputMetadata[inputName].Dimensions[0] > 0 ? batch : Math.Min(batch, data.Count - start);
                for (var i = 0; i < n; i++)
                {
                    data.Example(start + i, _featureCount).CopyTo(buffer.AsSpan(i * _featureCount));
                }
                long[] shape = [n, .. featureDims];
                using var value = inputType == TensorElementType.UInt8
                    ? OrtValue.CreateTensorValueFromMemory(buffer.AsSpan(0, n * _featureCount).ToArray().Select(v => (byte)Math.Clamp(MathF.Round(v), 0, 255)).ToArray(), shape)
                    : OrtValue.CreateTensorValueFromMemory(buffer.AsSpan(0, n * _featureCount).ToArray(), shape);
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, [inputName], [value], outputs);
                for (var k = 0; k < outputs.Length; k++)
                {
                    observe(outputs[k], results[k].GetTensorDataAsSpan<float>());
                }
            }
        }
    }
}
