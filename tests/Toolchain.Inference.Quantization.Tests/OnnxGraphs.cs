using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Toolchain.Inference.Quantization.Tests;

/// <summary>Reading written models back: their graph, initializers, and the operators ONNX Runtime turns them into.</summary>
internal static class OnnxGraphs
{
    public static ModelProto Read(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    public static TensorProto Initializer(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name);

    public static NodeProto Producer(ModelProto model, string tensor) => model.Graph.Node.Single(n => n.Output.Contains(tensor));

    public static float[] Floats(TensorProto t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();

    /// <summary>The operator types of the graph ONNX Runtime's CPU provider runs after its fusions (extended level).</summary>
    public static IReadOnlyList<string> OptimizedOperators(string path)
    {
        var tmp = System.IO.Path.GetTempFileName();
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = tmp })
            using (new InferenceSession(path, options))
            {
            }
            return Read(tmp).Graph.Node.Select(n => n.OpType).ToList();
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}
