using Onnx;
using Toolchain.Trainer.Transfer;
using Toolchain.Trainer.Transfer.Graph;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Transfer;

/// <summary>
/// The real ResNet18 of the NuGet package (63 MB), the one slower test of the transfer path (~25 s on 2 shared cores): it is
/// found beside the trainer, matches its pinned digest, imports, equals ONNX Runtime on the package's own file, and
/// its rewrite batches.
/// </summary>
public sealed class BuiltInBackboneTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolchain-transfer-tests", Guid.NewGuid().ToString("N"));

    public BuiltInBackboneTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_packaged_resnet18_is_pinned_imports_and_equals_onnx_runtime_on_the_original_file()
    {
        var backbone = Backbone.BuiltIn();
        Assert.Equal(Path.Combine(BuiltInBackbone.Folder, "ResNet18.onnx"), backbone.FilePath);
        Assert.Equal("e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f", backbone.Sha256);
        Assert.Equal(("resnet18", "MIT", ChannelOrder.Bgr, 255.0), (backbone.Config.Name, backbone.Config.Licence, backbone.Config.ChannelOrder, backbone.Config.Scale));
        Assert.Equal(3 * 224 * 224, backbone.MeanImage!.Count);

        using var graph = backbone.Import();
        Assert.Equal(8, graph.SourceOpset);
        Assert.Equal(512, graph.FeatureWidth);
        Assert.Equal("Conv×22, BatchNormalization×22, Relu×19, MaxPool×1, Add×9, AveragePool×1", graph.OpSummary);
        // The last stage is layer4: it starts from layer3's output, 256 channels at 14×14.
        graph.SetTuning(BackboneTuning.Last);
        Assert.Equal([256L, 14, 14], graph.TrainableFromShape);
        // CNTK's export has three blocks at 7×7 (9 + 7 + 7 nodes) and the pool: 7 of its 22 convolutions train.
        Assert.Equal("ReLU347_Output_0", graph.TrainableFrom);
        Assert.Equal(24, graph.TrainableNodes.Count());
        Assert.Equal(7, graph.TrainableNodes.Count(n => n.StartsWith("Convolution", StringComparison.Ordinal)));
        graph.SetTuning(BackboneTuning.Frozen);

        using var scope = NewDisposeScope();
        var x = TransferFiles.Images(2, 224, 1, scale: 255).sub(120);
        using (no_grad())
        {
            var (shape, want) = TransferFiles.Ort(backbone.FilePath, backbone.Config.Input, backbone.Config.Output, x.narrow(0, 0, 1));
            Assert.Equal([1L, 512, 1, 1], shape);
            var got = graph.forward(x.narrow(0, 0, 1));
            var rel = TransferFiles.Relative(got.data<float>().ToArray(), want);
            Assert.True(rel < 1e-4, $"relative difference {rel}");
        }

        var rewritten = Path.Combine(_dir, "resnet18-rewritten.onnx");
        File.WriteAllBytes(rewritten, BackboneGraphs.Rewrite(backbone));
        Assert.Equal(17, ModelProto.Parser.ParseFrom(File.ReadAllBytes(rewritten)).OpsetImport.Single().Version);
        var (batchShape, batch) = TransferFiles.Ort(rewritten, backbone.Config.Input, backbone.Config.Output, x);
        Assert.Equal([2L, 512, 1, 1], batchShape);
        for (int i = 0; i < 2; i++)
        {
            var (_, row) = TransferFiles.Ort(backbone.FilePath, backbone.Config.Input, backbone.Config.Output, x.narrow(0, i, 1));
            Assert.True(TransferFiles.Relative(batch.Skip(i * 512).Take(512).ToArray(), row) < 1e-5);
        }
    }
}
