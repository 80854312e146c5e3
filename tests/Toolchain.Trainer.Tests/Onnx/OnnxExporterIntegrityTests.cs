using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

public class OnnxExporterIntegrityTests
{
    [Fact]
    public void Export_records_the_digest_of_the_graph_bytes_as_they_lie_in_the_file()
    {
        using var f = new ExportFixture("conv(4,3,pad=1) relu maxpool(2) flatten linear(10)", [1, 28, 28]);

        var result = f.Export();

        var bytes = File.ReadAllBytes(result.Path);
        var stored = Metadata(bytes);
        Assert.Equal(result.Card.GraphSha256, stored[ModelCardKeys.GraphSha256]);
        Assert.Equal(GraphDigest.OfModel(bytes), stored[ModelCardKeys.GraphSha256]);
        Assert.Equal(GraphDigest.Of(ModelProto.Parser.ParseFrom(bytes).Graph.ToByteArray()), stored[ModelCardKeys.GraphSha256]);
        Assert.Matches("^[0-9a-f]{64}$", stored[ModelCardKeys.GraphSha256]);
    }

    [Fact]
    public void Reading_and_rewriting_an_exported_file_through_protobuf_gives_the_same_bytes_so_the_digest_is_stable()
    {
        using var f = new ExportFixture("flatten linear(16) relu linear(10)", [1, 28, 28]);
        var bytes = File.ReadAllBytes(f.Export().Path);

        var rewritten = ModelProto.Parser.ParseFrom(bytes).ToByteArray();

        Assert.Equal(bytes, rewritten);
    }

    [Fact]
    public void Export_records_the_first_four_verified_inputs_and_onnx_runtimes_logits_for_them()
    {
        using var f = new ExportFixture("flatten linear(16) relu linear(10)", [1, 28, 28]);

        var result = f.Export();

        var reference = ModelCard.FromMetadata(Metadata(File.ReadAllBytes(result.Path)))!.Reference!;
        Assert.Equal("logits", reference.OutputName);
        Assert.Equal(ElementType.Float32, reference.ElementType);
        Assert.Equal(4, reference.Count);
        Assert.Equal(784, reference.InputWidth);
        Assert.Equal(10, reference.OutputWidth);
        using var first = f.VerificationInputs.narrow(0, 0, 4).contiguous();
        Assert.Equal(first.data<float>().ToArray().Select(v => (double)v), reference.Inputs);
        using var ort = new OrtRunner(result.Path);
        var (shape, logits) = ort.Run(first)["logits"];
        Assert.Equal([4L, 10], shape);
        // The same runtime on the same CPU: the recorded outputs are the ones a loader's check will compute.
        Assert.Equal(logits, reference.Outputs);
        Assert.True(OrtRunner.MaxAbsDiff(f.Torch(first).Output, reference.Outputs.ToArray()) <= 1e-5);
    }

    [Fact]
    public void A_float64_model_records_its_reference_in_float64()
    {
        using var f = new ExportFixture("linear(2) sigmoid linear(1) sigmoid", [2], ScalarType.Float64);

        var result = f.Export();

        var reference = result.Card.Reference!;
        Assert.Equal(ElementType.Float64, reference.ElementType);
        Assert.Equal("probability", reference.OutputName);
        using var first = f.VerificationInputs.narrow(0, 0, 4).contiguous();
        Assert.Equal(first.data<double>().ToArray(), reference.Inputs);
        Assert.True(OrtRunner.MaxAbsDiff(f.Torch(first).Output, reference.Outputs.ToArray()) <= 1e-12);
        // The stored form is exact: what the card reads back is what was measured.
        var read = ModelCard.FromMetadata(Metadata(File.ReadAllBytes(result.Path)))!.Reference!;
        Assert.Equal(reference.Outputs, read.Outputs);
    }

    [Fact]
    public void A_card_from_an_earlier_export_gets_a_fresh_integrity_record()
    {
        using var f = new ExportFixture("flatten linear(10)", [1, 28, 28]);
        var stale = new ReferenceExamples { OutputName = "logits", ElementType = ElementType.Float32, Count = 1, Inputs = new double[784], Outputs = new double[10] };
        var request = f.Request() with { Card = f.Card() with { GraphSha256 = new string('0', 64), Reference = stale } };

        var result = OnnxExporter.Export(request, f.PathFor());

        Assert.Equal(GraphDigest.OfModel(File.ReadAllBytes(result.Path)), result.Card.GraphSha256);
        Assert.Equal(4, result.Card.Reference!.Count);
    }

    private static Dictionary<string, string> Metadata(byte[] bytes) =>
        ModelProto.Parser.ParseFrom(bytes).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
}
