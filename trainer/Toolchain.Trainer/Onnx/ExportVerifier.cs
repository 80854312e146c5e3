using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// Runs an exported file in ONNX Runtime (CPU) and the TorchSharp network in eval mode on the same batches and
/// reports the largest absolute difference over every output the graph exposes. The network is any module from
/// input to the main output: a spec's Sequential, or a backbone with its head (Transfer/TransferNetwork.cs).
/// </summary>
internal static class ExportVerifier
{
    /// <summary>The comparison of one file against its network.</summary>
    /// <param name="MaxAbsDiff">Largest absolute difference over all outputs and inputs.</param>
    /// <param name="Samples">Inputs compared.</param>
    /// <param name="WorstOutput">The output where <paramref name="MaxAbsDiff"/> occurred.</param>
    /// <param name="LargestMagnitude">Largest |value| TorchSharp produced on that output, to judge the difference against.</param>
    /// <param name="Reference">The first inputs verified and ONNX Runtime's main output for them, for the model card; null when none were verified.</param>
    public sealed record Outcome(double MaxAbsDiff, int Samples, string WorstOutput, double LargestMagnitude, ReferenceExamples? Reference)
    {
        /// <summary>Inputs on which TorchSharp's output holds NaN or infinity: no parity can be judged on them.</summary>
        public int NonFiniteTorch { get; init; }

        /// <summary>Inputs on which ONNX Runtime's output holds NaN or infinity.</summary>
        public int NonFiniteOnnx { get; init; }
    }

    public static Outcome Verify(string onnxPath, nn.Module<Tensor, Tensor> model, IReadOnlyList<Tensor> batches, OnnxElementType type, OnnxOutputs outputs,
        Func<Tensor, (Tensor Graph, Tensor Network)>? graphInputs = null)
    {
        InferenceSession session;
        try
        {
            // CPU, one thread: parity is judged against TorchSharp on the CPU, and the verdict must not depend on a GPU.
            (session, _) = SessionFactory.Create(onnxPath, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        }
        catch (InvalidInputFileException e)
        {
            throw new ToolchainException($"export: the exported graph {e.Problem}", e);
        }
        using (session)
        {
            var device = model.parameters().FirstOrDefault()?.device ?? CPU;
            bool wasTraining = model.training;
            model.eval();
            try
            {
                var names = outputs.ProbabilitiesName is { } pn ? new[] { outputs.OutputName, pn } : [outputs.OutputName];
                var diffs = new double[names.Length];
                var magnitudes = new double[names.Length];
                var reference = new ReferenceCollector(batches.Count > 0 ? batches[0].shape.Skip(1).Aggregate(1L, (a, b) => a * b) : 1, type);
                int samples = 0;
                var nonFinite = new NonFiniteCount();
                foreach (var batch in batches)
                {
                    CompareBatch(session, model, device, batch, type, names, diffs, magnitudes, reference, graphInputs, nonFinite);
                    samples += (int)batch.shape[0];
                }
                int worst = diffs.Length > 1 && (double.IsNaN(diffs[1]) || diffs[1] > diffs[0]) ? 1 : 0;
                return new Outcome(diffs.Aggregate(0.0, Max), samples, names[worst], magnitudes[worst], reference.Build(names[0]))
                {
                    NonFiniteTorch = nonFinite.Torch,
                    NonFiniteOnnx = nonFinite.Onnx,
                };
            }
            finally
            {
                model.train(wasTraining);
            }
        }
    }

    private static void CompareBatch(
        InferenceSession session, nn.Module<Tensor, Tensor> model, Device device, Tensor batch, OnnxElementType type,
        string[] names, double[] diffs, double[] magnitudes, ReferenceCollector reference, Func<Tensor, (Tensor Graph, Tensor Network)>? graphInputs,
        NonFiniteCount nonFinite)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = batch.detach().cpu().to_type(type.TorchType).contiguous();
        // A graph that normalises its own input is given the raw values the network's inputs stand for.
        var (g, networkInput) = graphInputs is null ? (x, x) : graphInputs(x);
        var output = model.forward(networkInput.to(device)).cpu().contiguous();
        // The graph's second output, when present, is the Softmax the exporter appends.
        var expected = names.Length > 1 ? new[] { output, nn.functional.softmax(output, 1).contiguous() } : [output];

        using var runOptions = new RunOptions();
        using var input = g.dtype == ScalarType.Byte ? OrtValue.CreateTensorValueFromMemory(g.data<byte>().ToArray(), g.shape)
            : type.IsDouble
            ? OrtValue.CreateTensorValueFromMemory(g.data<double>().ToArray(), g.shape)
            : OrtValue.CreateTensorValueFromMemory(g.data<float>().ToArray(), g.shape);
        using var results = session.Run(runOptions, [OnnxGraphEmitter.InputName], [input], names);
        reference.Add(g, results[0]);
        // The main output decides: softmax of a non-finite row is non-finite too, and counting it again adds nothing.
        nonFinite.Torch += RowsNotFinite(output.to_type(ScalarType.Float64).data<double>().ToArray(), batch.shape[0]);
        nonFinite.Onnx += RowsNotFinite(results[0], batch.shape[0]);
        int k = 0;
        foreach (var actual in results)
        {
            var want = expected[k].to_type(ScalarType.Float64).data<double>().ToArray();
            diffs[k] = Max(diffs[k], Diff(want, expected[k].shape, actual, type));
            magnitudes[k] = want.Aggregate(magnitudes[k], (m, v) => Math.Max(m, Math.Abs(v)));
            k++;
        }
    }

    private static double Diff(double[] want, long[] wantShape, OrtValue actual, OnnxElementType type)
    {
        if (!actual.GetTensorTypeAndShape().Shape.SequenceEqual(wantShape))
        {
            return double.PositiveInfinity;
        }
        double max = 0;
        if (type.IsDouble)
        {
            var got = actual.GetTensorDataAsSpan<double>();
            for (int k = 0; k < want.Length; k++)
            {
                max = Max(max, AbsDiff(want[k], got[k]));
            }
        }
        else
        {
            var got = actual.GetTensorDataAsSpan<float>();
            for (int k = 0; k < want.Length; k++)
            {
                max = Max(max, AbsDiff(want[k], got[k]));
            }
        }
        return max;
    }

    private static int RowsNotFinite(double[] values, long rows)
    {
        int width = (int)(values.Length / Math.Max(1, rows)), count = 0;
        for (int r = 0; r < rows; r++)
        {
            foreach (var v in values.AsSpan(r * width, width))
            {
                if (!double.IsFinite(v))
                {
                    count++;
                    break;
                }
            }
        }
        return count;
    }

    private static int RowsNotFinite(OrtValue values, long rows) =>
        RowsNotFinite(values.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double
            ? values.GetTensorDataAsSpan<double>().ToArray()
            : values.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(), rows);

    /// <summary>Running counts of inputs whose outputs are not finite.</summary>
    private sealed class NonFiniteCount
    {
        public int Torch { get; set; }

        public int Onnx { get; set; }
    }

    private static double AbsDiff(double a, double b) =>
        double.IsNaN(a) && double.IsNaN(b) ? 0
        : double.IsNaN(a) || double.IsNaN(b) ? double.PositiveInfinity
        : a == b ? 0 // equal infinities
        : Math.Abs(a - b);

    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>
    /// Keeps the first inputs verified, real test examples coming first, with ONNX Runtime's (not TorchSharp's)
    /// outputs: a loader running the file in ONNX Runtime compares like with like.
    /// </summary>
    private sealed class ReferenceCollector(long featureCount, OnnxElementType type)
    {
        // The budget is the contract's, shared with the quantizer's fresh records.
        private readonly int _wanted = ReferenceExamples.CountFor(featureCount, type.Contract);
        private readonly List<double> _inputs = [];
        private readonly List<double> _outputs = [];
        private int _count;

        public void Add(Tensor x, OrtValue output)
        {
            var n = (int)x.shape[0];
            var take = Math.Min(n, _wanted - _count);
            if (take <= 0)
            {
                return;
            }
            var inputs = x.to_type(ScalarType.Float64).data<double>().ToArray();
            var outputs = type.IsDouble
                ? output.GetTensorDataAsSpan<double>().ToArray()
                : output.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray();
            int inWidth = inputs.Length / n, outWidth = outputs.Length / n;
            _inputs.AddRange(inputs.Take(take * inWidth));
            _outputs.AddRange(outputs.Take(take * outWidth));
            _count += take;
        }

        public ReferenceExamples? Build(string outputName) => _count == 0 ? null : new()
        {
            OutputName = outputName,
            ElementType = type.Contract,
            Count = _count,
            Inputs = _inputs.ToArray(),
            Outputs = _outputs.ToArray(),
        };
    }
}
