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
    public sealed record Outcome(double MaxAbsDiff, int Samples, double OutputDiff, double ProbabilitiesDiff);

    public static Outcome Verify(string onnxPath, Sequential model, IReadOnlyList<Tensor> batches, OnnxElementType type, OnnxOutputs outputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
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
                double outputDiff = 0, probabilitiesDiff = 0;
                int samples = 0;
                foreach (var batch in batches)
                {
                    var (o, p) = CompareBatch(session, model, device, batch, type, outputs);
                    outputDiff = Max(outputDiff, o);
                    probabilitiesDiff = Max(probabilitiesDiff, p);
                    samples += (int)batch.shape[0];
                }
                return new Outcome(Max(outputDiff, probabilitiesDiff), samples, outputDiff, probabilitiesDiff);
            }
            finally
            {
                model.train(wasTraining);
            }
        }
    }

    private static (double Output, double Probabilities) CompareBatch(
        InferenceSession session, Sequential model, Device device, Tensor batch, OnnxElementType type, OnnxOutputs outputs)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = batch.detach().cpu().to_type(type.TorchType).contiguous();
        var expected = model.forward(x.to(device)).cpu().contiguous();
        var expectedProbabilities = outputs.IsMulticlass ? nn.functional.softmax(expected, 1).contiguous() : null;

        var names = outputs.ProbabilitiesName is { } pn ? new[] { outputs.OutputName, pn } : [outputs.OutputName];
        using var runOptions = new RunOptions();
        using var input = type.IsDouble
            ? OrtValue.CreateTensorValueFromMemory(x.data<double>().ToArray(), x.shape)
            : OrtValue.CreateTensorValueFromMemory(x.data<float>().ToArray(), x.shape);
        using var results = session.Run(runOptions, [OnnxGraphEmitter.InputName], [input], names);
        double outputDiff = Diff(expected, results.First(), type);
        double probabilitiesDiff = expectedProbabilities is null ? 0 : Diff(expectedProbabilities, results.Last(), type);
        return (outputDiff, probabilitiesDiff);
    }

    private static double Diff(Tensor expected, OrtValue actual, OnnxElementType type)
    {
        var shape = actual.GetTensorTypeAndShape().Shape;
        if (!shape.SequenceEqual(expected.shape))
        {
            return double.PositiveInfinity;
        }
        var want = expected.to_type(ScalarType.Float64).data<double>().ToArray();
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
