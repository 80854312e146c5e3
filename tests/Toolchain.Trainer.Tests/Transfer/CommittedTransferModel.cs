using Google.Protobuf;
using Onnx;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Trainer.Tests.Transfer;

/// <summary>
/// The transfer model that the infer CLI's and the service's tests serve (<see cref="TinyTransferModel"/>) is a file
/// that <c>trainer train transfer</c> wrote. Those test projects do not load TorchSharp, so the file is committed;
/// <see cref="TransferCommandTests"/> exports it again the same way, in its first run, and <see cref="Check"/> fails
/// when what the trainer writes today has drifted from it (graph, opset, inputs, outputs, card).
/// <c>TOOLCHAIN_WRITE_FIXTURES=1</c> writes the fresh file over the committed one.
/// </summary>
internal static class CommittedTransferModel
{
    /// <summary>Compares <paramref name="fresh"/>, exported with <see cref="TinyTransferModel.TrainArguments"/>, with the committed file.</summary>
    public static void Check(string fresh)
    {
        if (Environment.GetEnvironmentVariable("TOOLCHAIN_WRITE_FIXTURES") == "1")
        {
            File.Copy(fresh, TinyTransferModel.CommittedPath, overwrite: true);
        }
        var (want, got) = (ModelProto.Parser.ParseFrom(File.ReadAllBytes(fresh)), ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyTransferModel.CommittedPath)));
        Assert.Equal(want.OpsetImport.ToString(), got.OpsetImport.ToString());
        Assert.Equal(want.IrVersion, got.IrVersion);
        Assert.Equal(want.Graph.Input.ToString(), got.Graph.Input.ToString());
        Assert.Equal(want.Graph.Output.ToString(), got.Graph.Output.ToString());
        Assert.Equal(want.Graph.Node.Select(Signature), got.Graph.Node.Select(Signature));
        Assert.Equal(want.Graph.Initializer.Select(i => $"{i.Name}{string.Join(",", i.Dims)}"), got.Graph.Initializer.Select(i => $"{i.Name}{string.Join(",", i.Dims)}"));
        using var fresher = OnnxModel.Load(fresh);
        using var committed = OnnxModel.Load(TinyTransferModel.CommittedPath);
        var (a, b) = (fresher.Info.Card!, committed.Info.Card!);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.InputShape, b.InputShape);
        Assert.Equal(a.ElementType, b.ElementType);
        Assert.Equal(a.PreprocessingMode, b.PreprocessingMode);
        Assert.Equal(a.Backbone, b.Backbone);
        Assert.Equal(a.Hyperparameters.Keys.Order(), b.Hyperparameters.Keys.Order());
        Assert.True(b.HasIntegrityRecord);
        Assert.Equal(TinyTransferModel.Labels, b.Labels);
    }

    private static string Signature(NodeProto node) =>
        $"{node.OpType}({string.Join(",", node.Input)})->{string.Join(",", node.Output)} {string.Join(",", node.Attribute.Select(a => a.Name))}";
}
