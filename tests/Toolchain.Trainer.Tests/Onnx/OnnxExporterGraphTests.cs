using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

public class OnnxExporterGraphTests
{
    [Fact]
    public void The_CNN_graph_has_one_node_per_layer_dropout_none_plus_softmax_at_opset_17_and_IR_8()
    {
        using var f = new ExportFixture("conv(4,3,pad=1) relu maxpool(2) flatten linear(8) relu dropout(0.25) linear(10)", [1, 28, 28]);

        var model = Load(f.Export().Path);

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal("toolchain", model.ProducerName);
        Assert.Equal(ModelCard.CurrentVersion, model.ProducerVersion);
        Assert.Equal(
            ["Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"],
            model.Graph.Node.Select(n => n.OpType));
        Assert.All(model.Graph.Node.Where(n => n.OpType == "Gemm"), n => Assert.Equal(1, Attr(n, "transB").I));
        Assert.Equal(1, Attr(model.Graph.Node.Single(n => n.OpType == "Flatten"), "axis").I);
        Assert.Equal(1, Attr(model.Graph.Node.Single(n => n.OpType == "Softmax"), "axis").I);
        Assert.Equal(["logits", "probabilities"], model.Graph.Output.Select(o => o.Name));
        Assert.Equal("logits", model.Graph.Node.Single(n => n.OpType == "Softmax").Input.Single());
    }

    [Fact]
    public void The_input_is_named_input_with_a_symbolic_batch_axis_and_the_image_shape()
    {
        using var f = new ExportFixture("flatten linear(10)", [1, 28, 28]);

        var input = Load(f.Export().Path).Graph.Input.Single();

        Assert.Equal("input", input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal([1L, 28, 28], dims.Skip(1).Select(d => d.DimValue));
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
    }

    [Fact]
    public void Conv_and_pool_attributes_carry_the_spec_values_and_avgpool_counts_padding_like_PyTorch()
    {
        using var f = new ExportFixture("conv(4,3,stride=2,pad=1,dilation=2,groups=2) avgpool(3,stride=2,pad=1) maxpool(2,stride=1,pad=1) flatten linear(3)", [2, 16, 16]);

        var nodes = Load(f.Export().Path).Graph.Node;

        var conv = nodes.Single(n => n.OpType == "Conv");
        Assert.Equal([3L, 3], Attr(conv, "kernel_shape").Ints);
        Assert.Equal([2L, 2], Attr(conv, "strides").Ints);
        Assert.Equal([1L, 1, 1, 1], Attr(conv, "pads").Ints);
        Assert.Equal([2L, 2], Attr(conv, "dilations").Ints);
        Assert.Equal(2, Attr(conv, "group").I);
        var avg = nodes.Single(n => n.OpType == "AveragePool");
        Assert.Equal(1, Attr(avg, "count_include_pad").I);
        Assert.Equal([1L, 1, 1, 1], Attr(avg, "pads").Ints);
        var max = nodes.Single(n => n.OpType == "MaxPool");
        Assert.Equal([2L, 2], Attr(max, "kernel_shape").Ints);
        Assert.Equal([1L, 1], Attr(max, "strides").Ints);
    }

    [Fact]
    public void A_float64_xor_net_keeps_double_tensors_and_outputs_one_probability()
    {
        using var f = new ExportFixture("linear(2) sigmoid linear(1) sigmoid", [2], ScalarType.Float64);

        var result = f.Export();
        var model = Load(result.Path);

        Assert.All(model.Graph.Initializer, t => Assert.Equal((int)TensorProto.Types.DataType.Double, t.DataType));
        Assert.Equal((int)TensorProto.Types.DataType.Double, model.Graph.Input.Single().Type.TensorType.ElemType);
        var output = model.Graph.Output.Single();
        Assert.Equal("probability", output.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Double, output.Type.TensorType.ElemType);
        Assert.Equal(["Gemm", "Sigmoid", "Gemm", "Sigmoid"], model.Graph.Node.Select(n => n.OpType));
        Assert.Equal(ModelTask.Binary, result.Card.Task);
        Assert.Equal(ElementType.Float64, result.Card.ElementType);
        Assert.Equal(InputLayout.Nc, result.Card.InputLayout);
        Assert.Equal([-1L, 2], result.Card.InputShape);
        Assert.Null(result.Card.ProbabilitiesName);
    }

    [Fact]
    public void Float32_leakyrelu_and_batchnorm_map_to_their_ONNX_operators_with_the_spec_constants()
    {
        using var f = new ExportFixture("linear(4) batchnorm(eps=0.001) leakyrelu(0.2) linear(3)", [2]);

        var nodes = Load(f.Export().Path).Graph.Node;

        Assert.Equal(0.2f, Attr(nodes.Single(n => n.OpType == "LeakyRelu"), "alpha").F);
        var bn = nodes.Single(n => n.OpType == "BatchNormalization");
        Assert.Equal(0.001f, Attr(bn, "epsilon").F);
        Assert.Equal(["layer0_out", "layer1.weight", "layer1.bias", "layer1.running_mean", "layer1.running_var"], bn.Input);
    }

    [Fact]
    public void Metadata_read_back_by_ONNX_Runtime_is_the_card_the_exporter_returned()
    {
        using var f = new ExportFixture("conv(2,3) relu flatten linear(10)", [1, 8, 8]);

        var result = f.Export();

        using var ort = new OrtRunner(result.Path);
        var metadata = ort.Session.ModelMetadata;
        var read = ModelCard.FromMetadata(metadata.CustomMetadataMap);
        Assert.NotNull(read);
        Assert.Equal(result.Card.ToMetadata().OrderBy(kv => kv.Key), read.ToMetadata().OrderBy(kv => kv.Key));
        Assert.Equal(result.Card.Summary(), metadata.Description);
        Assert.Equal("toolchain", metadata.ProducerName);
        Assert.Equal(ModelTask.Multiclass, read.Task);
        Assert.Equal(InputLayout.Nchw, read.InputLayout);
        Assert.Equal([-1L, 1, 8, 8], read.InputShape);
        Assert.Equal(ElementType.Float32, read.ElementType);
        Assert.Equal("logits", read.OutputName);
        Assert.Equal("probabilities", read.ProbabilitiesName);
        Assert.Equal(result.MaxAbsDiff, read.ExportParity);
        Assert.Equal(f.Spec.Canonical, read.Architecture);
        Assert.Equal(0.1307, read.Mean);
        Assert.Equal("0.1", read.Hyperparameters["lr"]);
        Assert.Equal(10, read.Labels.Count);
    }

    private static ModelProto Load(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    private static AttributeProto Attr(NodeProto node, string name) => node.Attribute.Single(a => a.Name == name);
}
