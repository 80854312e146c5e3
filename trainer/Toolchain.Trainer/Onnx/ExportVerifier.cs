using Microsoft.ML.OnnxRuntime;
using Toolchain.Shared.Errors;
using TorchSharp;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// Runs an exported file in ONNX Runtime (CPU) and the TorchSharp network in eval mode on the same batches and
/// reports the largest absolute difference over every output the graph exposes.
/// </summary>
internal static class ExportVerifier
{
    /// <summary>The comparison of one file against its network.</summary>
    /// <param name="MaxAbsDiff">Largest absolute difference over all outputs and inputs.</param>
    /// <param name="Samples">Inputs compared.</param>
    /// <param name="WorstOutput">The output where <paramref name="MaxAbsDiff"/> occurred.</param>
    /// <param name="LargestMagnitude">Largest |value| TorchSharp produced on that output, to judge the difference against.</param>
    public sealed record Outcome(double MaxAbsDiff, int Samples, string WorstOutput, double LargestMagnitude);

    public static Outcome Verify(string onnxPath, Sequential model, IReadOnlyList<Tensor> batches, OnnxElementType type, OnnxOutputs outputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        InferenceSession session;
        try
        {
            session = new InferenceSession(onnxPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ToolchainException($"export: ONNX Runtime cannot load the exported graph: {FirstLine(e.Message)}", e);
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
                int samples = 0;
                foreach (var batch in batches)
                {
                    CompareBatch(session, model, device, batch, type, names, diffs, magnitudes);
                    samples += (int)batch.shape[0];
                }
                int worst = diffs.Length > 1 && (double.IsNaN(diffs[1]) || diffs[1] > diffs[0]) ? 1 : 0;
                return new Outcome(diffs.Aggregate(0.0, Max), samples, names[worst], magnitudes[worst]);
            }
            finally
            {
                model.train(wasTraining);
            }
        }
    }

    private static void CompareBatch(
        InferenceSession session, Sequential model, Device device, Tensor batch, OnnxElementType type,
        string[] names, double[] diffs, double[] magnitudes)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = batch.detach().cpu().to_type(type.TorchType).contiguous();
        var output = model.forward(x.to(device)).cpu().contiguous();
        // The graph's second output, when present, is the Softmax the exporter appends.
        var expected = names.Length > 1 ? new[] { output, nn.functional.softmax(output, 1).contiguous() } : [output];

        using var runOptions = new RunOptions();
        using var input = type.IsDouble
            ? OrtValue.CreateTensorValueFromMemory(x.data<double>().ToArray(), x.shape)
            : OrtValue.CreateTensorValueFromMemory(x.data<float>().ToArray(), x.shape);
        using var results = session.Run(runOptions, [OnnxGraphEmitter.InputName], [input], names);
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

    private static double AbsDiff(double a, double b) =>
        double.IsNaN(a) && double.IsNaN(b) ? 0
        : double.IsNaN(a) || double.IsNaN(b) ? double.PositiveInfinity
        : a == b ? 0 // equal infinities
        : Math.Abs(a - b);

    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
