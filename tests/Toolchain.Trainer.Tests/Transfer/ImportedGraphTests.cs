using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using Toolchain.TestSupport;
using Toolchain.Trainer.Transfer;
using Toolchain.Trainer.Transfer.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Transfer;

/// <summary>The imported graph against ONNX Runtime on the source file, and its stages.</summary>
public sealed class ImportedGraphTests : IDisposable
{
    private readonly TransferFiles _files = new();

    public void Dispose() => _files.Dispose();

    private ImportedGraph Import(string file, string input, string output, int size, string? lastStage = null) =>
        ImportedGraph.Import(ModelProto.Parser.ParseFrom(File.ReadAllBytes(_files.Path(file))), input, output, size, size, file, lastStage);

    [Theory]
    [InlineData(TinyBackbones.CntkFeatures)]
    [InlineData(TinyBackbones.CntkLogits)]
    public void The_cntk_like_graph_in_eval_mode_equals_onnx_runtime_on_the_source_file(string output)
    {
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, output, 32);
        for (int seed = 0; seed < 3; seed++)
        {
            using var scope = NewDisposeScope();
            var x = TransferFiles.Images(1, 32, seed, scale: 3);
            var (shape, expected) = TransferFiles.Ort(_files.Path("tiny.onnx"), TinyBackbones.CntkInput, output, x);
            using var noGrad = no_grad();
            var y = graph.forward(x);
            Assert.Equal(shape, y.shape);
            var rel = TransferFiles.Relative(y.data<float>().ToArray(), expected);
            Assert.True(rel < 1e-4, $"relative difference {rel}");
        }
    }

    [Fact]
    public void The_modern_graph_equals_onnx_runtime_on_the_source_file_at_any_batch()
    {
        using var graph = Import("modern.onnx", TinyBackbones.ModernInput, TinyBackbones.ModernFeatures, 24);
        Assert.Equal([12L], graph.OutputShape);
        using var scope = NewDisposeScope();
        var x = TransferFiles.Images(5, 24, 3);
        var (shape, expected) = TransferFiles.Ort(_files.Path("modern.onnx"), TinyBackbones.ModernInput, TinyBackbones.ModernFeatures, x);
        using var noGrad = no_grad();
        var y = graph.forward(x);
        Assert.Equal(shape, y.shape);
        Assert.True(TransferFiles.Relative(y.data<float>().ToArray(), expected) < 1e-4);
    }

    [Fact]
    public void The_rewritten_file_takes_any_batch_at_opset_17_and_equals_the_source_row_by_row()
    {
        var backbone = _files.Backbone("tiny.json");
        var rewritten = _files.Path("rewritten.onnx");
        File.WriteAllBytes(rewritten, BackboneGraphs.Rewrite(backbone));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(rewritten));
        Assert.Equal(17, model.OpsetImport.Single().Version);
        Assert.Equal(8, model.IrVersion);
        Assert.Equal("batch", model.Graph.Input.Single().Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("batch", model.Graph.Output.Single().Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Empty(model.Graph.ValueInfo);
        Assert.DoesNotContain(model.Graph.Node, n => n.Attribute.Any(a => a.Name == "spatial"));
        Assert.Equal(TinyBackbones.CntkInput, model.Graph.Input.Single().Name);
        Assert.Equal(TinyBackbones.CntkFeatures, model.Graph.Output.Single().Name);

        using var scope = NewDisposeScope();
        var x = TransferFiles.Images(4, 32, 9, scale: 255);
        var (shape, batch) = TransferFiles.Ort(rewritten, TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, x);
        Assert.Equal([4L, 16, 1, 1], shape);
        for (int i = 0; i < 4; i++)
        {
            var (_, row) = TransferFiles.Ort(_files.Path("tiny.onnx"), TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, x.narrow(0, i, 1));
            var rel = TransferFiles.Relative(batch.Skip(i * 16).Take(16).ToArray(), row);
            Assert.True(rel < 1e-5, $"row {i}: relative difference {rel}");
        }
    }

    [Fact]
    public void A_reshape_that_bakes_in_the_batch_of_one_takes_any_batch_after_import()
    {
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkLogits, 32);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = TransferFiles.Images(3, 32, 4, scale: 3);
        var y = graph.forward(x);
        Assert.Equal([3L, 10], y.shape);
        var single = graph.forward(x.narrow(0, 2, 1));
        Assert.True(TransferFiles.Relative(y[2].data<float>().ToArray(), single[0].data<float>().ToArray()) < 1e-5);
    }

    [Fact]
    public void The_last_stage_starts_after_the_block_before_the_last_downsampling_and_runs_alone()
    {
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32);
        Assert.Equal(TinyBackbones.CntkLastStage, graph.LastStageInput);
        graph.SetTuning(BackboneTuning.Last);
        Assert.Equal(TinyBackbones.CntkLastStage, graph.TrainableFrom);
        Assert.Equal([8L, 8, 8], graph.TrainableFromShape);
        Assert.Equal("Convolution44", graph.TrainableNodes.First());

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = TransferFiles.Images(2, 32, 5, scale: 3);
        var whole = graph.forward(x);
        var split = graph.ForwardTrainable(graph.ForwardFrozen(x));
        Assert.Equal(whole.data<float>().ToArray(), split.data<float>().ToArray());
    }

    [Theory]
    [InlineData(BackboneTuning.Frozen)]
    [InlineData(BackboneTuning.Last)]
    [InlineData(BackboneTuning.All)]
    public void With_the_stage_the_head_reads_the_output_then_the_last_stage_input_averaged(BackboneTuning tuning)
    {
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32);
        Assert.Equal(FeatureSet.Output, graph.FeatureSet);
        Assert.Equal(graph.FeatureWidth, graph.HeadWidth);
        Assert.Equal("", graph.FeatureText);
        Assert.Equal(FeatureSet.WithStage, graph.UseFeatures(FeatureSet.WithStage));
        graph.SetTuning(tuning);
        Assert.Equal(8, graph.StageWidth);
        Assert.Equal(graph.FeatureWidth + 8, graph.HeadWidth);
        Assert.Equal($"{TinyBackbones.CntkFeatures} ({graph.FeatureWidth}) + mean of {TinyBackbones.CntkLastStage} (8)", graph.FeatureText);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = TransferFiles.Images(3, 32, 5, scale: 3);
        var got = graph.HeadInput(x);
        Assert.Equal([3L, graph.HeadWidth], got.shape);
        graph.SetTuning(BackboneTuning.Last);
        var stage = graph.ForwardFrozen(x);
        var output = graph.forward(x).flatten(1);
        Assert.True(TransferFiles.Relative(got.narrow(1, 0, graph.FeatureWidth).data<float>().ToArray(), output.data<float>().ToArray()) < 1e-6);
        Assert.True(TransferFiles.Relative(got.narrow(1, graph.FeatureWidth, 8).data<float>().ToArray(), stage.mean([2, 3]).data<float>().ToArray()) < 1e-6);
        // From cached stage activations, as fine-tuning the last stage reads them: the same values.
        Assert.True(TransferFiles.Relative(graph.HeadInputFromStage(stage).data<float>().ToArray(), got.data<float>().ToArray()) < 1e-6);
    }

    [Fact]
    public void A_graph_without_an_earlier_stage_reads_its_output_alone_when_asked_for_the_stage()
    {
        // Named at the input, the last stage is the whole graph: there is nothing earlier to average.
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32, lastStage: TinyBackbones.CntkInput);
        Assert.Equal(0, graph.StageWidth);
        Assert.Equal(FeatureSet.Output, graph.UseFeatures(FeatureSet.WithStage));
        Assert.Equal(graph.FeatureWidth, graph.HeadWidth);
    }

    [Fact]
    public void Freezing_stops_gradients_and_keeps_frozen_batch_norm_in_eval_mode()
    {
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32);
        Assert.Empty(graph.TrainableParameters());
        graph.SetTuning(BackboneTuning.Last);
        var trainable = graph.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Contains("Convolution44.weight", trainable);
        Assert.Contains("BatchNormalization60.bias", trainable);
        Assert.DoesNotContain("Convolution10.weight", trainable);
        Assert.Equal(trainable.Count, graph.TrainableParameters().Count());

        graph.train();
        var modes = graph.named_modules().Where(m => m.module is Trainer.Transfer.Graph.Ops.BatchNormOp).ToDictionary(m => m.name, m => m.module.training);
        Assert.False(modes["BatchNormalization12"]);
        Assert.False(modes["BatchNormalization30"]);
        Assert.True(modes["BatchNormalization46"]);

        // A training pass moves the unfrozen statistics only.
        float[] Mean(string op) => graph.get_buffer($"{op}.running_mean")!.data<float>().ToArray();
        var frozenMean = Mean("BatchNormalization12");
        var trainedMean = Mean("BatchNormalization46");
        using (var scope = NewDisposeScope())
        {
            var loss = graph.forward(TransferFiles.Images(4, 32, 6, scale: 3)).square().sum();
            loss.backward();
        }
        Assert.Equal(frozenMean, Mean("BatchNormalization12"));
        Assert.NotEqual(trainedMean, Mean("BatchNormalization46"));
        Assert.Null(graph.get_parameter("Convolution10.weight")!.grad);
        Assert.NotNull(graph.get_parameter("Convolution44.weight")!.grad);

        graph.SetTuning(BackboneTuning.All);
        Assert.Equal(graph.parameters().Count(), graph.TrainableParameters().Count());
        Assert.True(graph.named_modules().Where(m => m.module is Trainer.Transfer.Graph.Ops.BatchNormOp).All(m => m.module.training));
        graph.eval();
        Assert.True(graph.named_modules().All(m => !m.module.training));
    }

    [Fact]
    public void The_graph_moves_with_its_weights_when_converted()
    {
        // Module.to replaces the registered tensors; ops that kept their own references would still compute in float32.
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkLogits, 32);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = TransferFiles.Images(2, 32, 12, scale: 3);
        var single = graph.forward(x).data<float>().ToArray();
        graph.to(ScalarType.Float64);
        var y = graph.forward(x.to(ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, y.dtype);
        Assert.True(TransferFiles.Relative(y.to(ScalarType.Float32).data<float>().ToArray(), single) < 1e-5);
    }

    [Fact]
    public void Parameters_map_back_to_their_initializers()
    {
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(_files.Path("tiny.onnx")));
        var conv = model.Graph.Node.Single(n => n.Name == "Convolution10");
        var bn = model.Graph.Node.Single(n => n.Name == "BatchNormalization12");
        Assert.Equal(conv.Input[1], graph.InitializerOf("Convolution10.weight"));
        Assert.Equal(bn.Input[1], graph.InitializerOf("BatchNormalization12.weight"));
        Assert.Equal(bn.Input[4], graph.InitializerOf("BatchNormalization12.running_var"));
        Assert.Throws<ArgumentException>(() => graph.InitializerOf("nothing.weight"));
    }

    [Fact]
    public void A_named_last_stage_is_used_and_a_cut_that_splits_a_block_is_refused()
    {
        using var graph = Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32, lastStage: "ReLU68");
        Assert.Equal("ReLU68_Output_0", graph.LastStageInput);
        var e = Assert.Throws<ToolchainException>(() => Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32, lastStage: "ReLU48_Output_0"));
        Assert.Equal("tiny.onnx: the last_stage 'ReLU48_Output_0' cannot split the backbone: later nodes also read tensors computed before it", e.Message);
        e = Assert.Throws<ToolchainException>(() => Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32, lastStage: "nowhere"));
        Assert.Contains("'nowhere' is neither a tensor nor a node", e.Message);
    }

    [Fact]
    public void An_unsupported_op_is_refused_naming_it_and_its_node()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(_files.Path("tiny.onnx")));
        model.Graph.Node.Single(n => n.Name == "ReLU24").OpType = "LRN";
        var e = Assert.Throws<ToolchainException>(() =>
            ImportedGraph.Import(model, TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32, 32, "lrn.onnx"));
        Assert.StartsWith("lrn.onnx: node 'ReLU24' uses the op 'LRN', which import does not support (supported: Conv, ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_attribute_that_changes_the_meaning_is_refused_naming_the_node()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(_files.Path("tiny.onnx")));
        model.Graph.Node.Single(n => n.Name == "BatchNormalization22").Attribute.Single(a => a.Name == "spatial").I = 0;
        var e = Assert.Throws<ToolchainException>(() =>
            ImportedGraph.Import(model, TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32, 32, "x.onnx"));
        Assert.Equal("backbone: node 'BatchNormalization22' (BatchNormalization) normalises per activation (spatial = 0); import supports per-channel BatchNormalization only", e.Message);
    }

    [Fact]
    public void Shared_weights_are_refused_naming_both_nodes()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(_files.Path("tiny.onnx")));
        var first = model.Graph.Node.Single(n => n.Name == "Convolution20");
        model.Graph.Node.Single(n => n.Name == "Convolution28").Input[1] = first.Input[1];
        var e = Assert.Throws<ToolchainException>(() =>
            ImportedGraph.Import(model, TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 32, 32, "tied.onnx"));
        Assert.Equal($"tied.onnx: the initializer '{first.Input[1]}' is shared by nodes 'Convolution20' and 'Convolution28'; import does not support shared weights", e.Message);
    }

    [Fact]
    public void A_spatial_output_is_refused()
    {
        var e = Assert.Throws<ToolchainException>(() => Import("tiny.onnx", TinyBackbones.CntkInput, "ReLU68_Output_0", 32));
        Assert.Equal("tiny.onnx: the output 'ReLU68_Output_0' is [N,16,4,4], not a feature vector ([N,C] or [N,C,1,1]); " +
            "name a pooled tensor as the output, or end the backbone with GlobalAveragePool", e.Message);
    }

    [Fact]
    public void Images_too_small_for_the_backbone_are_refused()
    {
        var e = Assert.Throws<ToolchainException>(() => Import("modern.onnx", TinyBackbones.ModernInput, TinyBackbones.ModernFeatures, 1));
        Assert.StartsWith("modern.onnx: the backbone cannot run a 1×1 image (", e.Message);
        Assert.EndsWith("); the image size may be too small for it", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        e = Assert.Throws<ToolchainException>(() => Import("tiny.onnx", TinyBackbones.CntkInput, TinyBackbones.CntkFeatures, 16));
        Assert.Equal("tiny.onnx: the input 'Input3' takes 32×32 images but the backbone config says 16×16", e.Message);
    }

    [Fact]
    public void Unknown_tensors_and_inputs_are_named()
    {
        var e = Assert.Throws<ToolchainException>(() => Import("tiny.onnx", TinyBackbones.CntkInput, "Pooling91_Output_0", 32));
        Assert.Equal("tiny.onnx: the graph has no tensor 'Pooling91_Output_0' to read the features from", e.Message);
        e = Assert.Throws<ToolchainException>(() => Import("tiny.onnx", "data", TinyBackbones.CntkFeatures, 32));
        Assert.Equal("tiny.onnx: the graph has no input 'data' (its inputs: Input3)", e.Message);
    }
}
