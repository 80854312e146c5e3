using Google.Protobuf;
using Onnx;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;

namespace Toolchain.Trainer.Tests.Transfer;

/// <summary>
/// The transfer model that the infer CLI's and the service's tests serve (<see cref="TinyTransferModel"/>) is a file
/// that <c>trainer train transfer</c> wrote. Those test projects do not load TorchSharp, so the file is committed; this
/// test exports it again the same way and fails when what the trainer writes today has drifted from it (graph, opset,
/// inputs, outputs, card). <c>TOOLCHAIN_WRITE_FIXTURES=1</c> writes the fresh file over the committed one.
/// </summary>
[Collection(TorchRandomState.Name)]
public class TransferFixtureTests
{
    [Fact]
    public void The_committed_transfer_model_is_what_trainer_train_transfer_exports_today()
    {
        using var files = new TransferFiles();
        var data = BackboneFeaturizerTests.WriteColourFolder(files.Dir, 12);
        var outDir = files.Path("out");

        int code = TransferCommand.Run(TinyTransferModel.TrainArguments(data, files.Path("tiny.onnx"), files.Path("tiny.json"), outDir, files.Path("cache")),
            TextWriter.Null, TextWriter.Null, CancellationToken.None);

        Assert.Equal(0, code);
        var fresh = Path.Combine(outDir, "model.onnx");
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
