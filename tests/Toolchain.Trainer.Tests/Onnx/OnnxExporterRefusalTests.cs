using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

public class OnnxExporterRefusalTests
{
    [Fact]
    public void A_model_not_built_from_the_spec_is_refused_naming_the_layer_and_no_file_is_written()
    {
        using var f = new ExportFixture("linear(4) relu linear(3)", [2]);
        var request = f.Request() with { Spec = ArchitectureSpec.Parse("linear(4) tanh linear(3)") };

        var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(request, f.PathFor()));

        Assert.All(["layer 2", "'tanh'", "Tanh", "ReLU"], fact => Assert.Contains(fact, e.Message));
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Theory]
    [InlineData("linear(4) relu linear(1)", new[] { "single output", "'sigmoid'" })]
    [InlineData("linear(4) relu", new[] { "2 labels", "multiclass", "4" })]
    public void A_model_whose_outputs_do_not_fit_a_card_is_refused(string spec, string[] facts)
    {
        using var f = new ExportFixture(spec, [2]);
        var request = f.Request() with { Card = f.Card() with { Labels = ["no", "yes"] } };

        var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(request, f.PathFor()));

        Assert.StartsWith("export: ", e.Message);
        Assert.All(facts, fact => Assert.Contains(fact, e.Message));
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Fact]
    public void A_model_whose_output_is_not_flat_is_refused()
    {
        using var f = new ExportFixture("conv(2,3) relu", [1, 6, 6]);

        var e = Assert.Throws<ToolchainException>(() => f.Export());

        Assert.Contains("flat", e.Message);
        Assert.Contains("[2,4,4]", e.Message);
    }

    [Fact]
    public void Verification_inputs_of_the_wrong_shape_are_refused()
    {
        using var f = new ExportFixture("flatten linear(3)", [1, 4, 4]);
        using var wrong = zeros(5, 1, 4, 5);

        var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(f.Request() with { VerificationInputs = wrong }, f.PathFor()));

        Assert.All(["verification inputs", "[5,1,4,5]", "[-1,1,4,4]"], fact => Assert.Contains(fact, e.Message));
    }

    [Fact]
    public void A_graph_that_drifts_from_TorchSharp_fails_verification_and_leaves_no_file()
    {
        using var f = new ExportFixture("conv(2,3) relu flatten linear(3)", [1, 6, 6]);
        var options = ExportOptions.Default with { Tamper = g => Nudge(g, "layer3.bias", 1e-3) };

        var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(f.Request(), f.PathFor(), options));

        // The size of the drift, the output, the inputs compared, the tolerance and that no file was left.
        Assert.StartsWith("export: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Matches(@"\b1\.0\d*E-3\b", e.Message);
        Assert.All(["logits", "48 inputs", "1.0E-5", "float32", "model.onnx"], fact => Assert.Contains(fact, e.Message));
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Fact]
    public void Weights_holding_NaN_are_refused_naming_the_layer_instead_of_comparing_NaN_with_NaN()
    {
        using var f = new ExportFixture("conv(2,3) relu flatten linear(3)", [1, 6, 6]);
        using (no_grad())
        {
            f.Model.named_children().Last().module.named_parameters().Single(p => p.name == "bias").parameter[1] = float.NaN;
        }

        var e = Assert.Throws<ToolchainException>(() => f.Export());

        Assert.All(["export: ", "layer 4 'linear(3)'", "NaN", "bias", "--lr"], fact => Assert.Contains(fact, e.Message));
        Assert.DoesNotContain("tolerance", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Fact]
    public void Finite_weights_whose_outputs_overflow_to_infinity_are_refused_as_unjudgeable()
    {
        using var f = new ExportFixture("linear(4) relu linear(3)", [2]);
        using (no_grad())
        {
            foreach (var p in f.Model.parameters())
            {
                p.fill_(3e25f); // finite, but 2 × (3e25)² overflows float32
            }
        }

        var e = Assert.Throws<ToolchainException>(() => f.Export());

        Assert.All(["export: ", "TorchSharp's own outputs", "NaN or infinity", "of 48 verification inputs", "was not written"],
            fact => Assert.Contains(fact, e.Message));
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Fact]
    public void A_graph_that_gives_NaN_where_TorchSharp_is_finite_is_refused_by_name()
    {
        using var f = new ExportFixture("linear(4) relu linear(3)", [2]);
        var options = ExportOptions.Default with { Tamper = g => Nudge(g, "layer2.bias", double.NaN) };

        var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(f.Request(), f.PathFor(), options));

        Assert.All(["export: ONNX Runtime gives NaN or infinity on 48 of 48 inputs", "TorchSharp's outputs are finite"],
            fact => Assert.Contains(fact, e.Message));
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Fact]
    public void Probabilities_are_verified_too_so_a_wrong_softmax_fails_even_when_logits_match()
    {
        using var f = new ExportFixture("linear(4) relu linear(3)", [2]);
        var options = ExportOptions.Default with
        {
            Tamper = g => g.Node.Single(n => n.OpType == "Softmax").Attribute.Single(a => a.Name == "axis").I = 0,
        };

        var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(f.Request(), f.PathFor(), options));

        Assert.Contains(" on probabilities (values up to ", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Theory]
    [InlineData(5e-5, true)]
    [InlineData(0.5, false)]
    public void The_float32_tolerance_grows_with_the_largest_value_compared(double nudge, bool passes)
    {
        using var f = new ExportFixture("linear(3)", [4]);
        using (no_grad())
        {
            // Logits in the hundreds: a float32 ulp there is 3e-5 to 6e-5.
            foreach (var p in f.Model.parameters())
            {
                p.mul_(300);
            }
        }
        var options = ExportOptions.Default with { Tamper = g => Nudge(g, "layer0.bias", nudge) };

        if (passes)
        {
            var result = OnnxExporter.Export(f.Request(), f.PathFor(), options);
            // More than a fixed 1e-5 allows (the rounding of values in the hundreds is about 1e-4), within the scaled tolerance.
            Assert.InRange(result.MaxAbsDiff, 1e-5, result.Tolerance);
        }
        else
        {
            var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(f.Request(), f.PathFor(), options));
            Assert.Contains(" on logits (values up to ", e.Message);
        }
    }

    [Fact]
    public void A_float64_graph_off_by_1e_9_fails_the_1e_12_tolerance()
    {
        using var f = new ExportFixture("linear(2) sigmoid linear(1) sigmoid", [2], ScalarType.Float64);
        var options = ExportOptions.Default with { Tamper = g => Nudge(g, "layer2.bias", 4e-9) };

        var e = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(f.Request(), f.PathFor(), options));

        Assert.Contains(" on probability (values up to 0.", e.Message);
        Assert.Contains("(tolerance 1.0E-12; float64)", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Fact]
    public void A_failed_export_leaves_an_earlier_file_at_the_path_untouched()
    {
        using var f = new ExportFixture("linear(3) relu linear(3)", [2]);
        File.WriteAllText(f.PathFor(), "earlier");
        var options = ExportOptions.Default with { Tamper = g => Nudge(g, "layer2.bias", 1) };

        Assert.Throws<ToolchainException>(() => OnnxExporter.Export(f.Request(), f.PathFor(), options));

        Assert.Equal("earlier", File.ReadAllText(f.PathFor()));
        Assert.Single(Directory.EnumerateFileSystemEntries(f.Dir));
    }

    [Fact]
    public void A_successful_export_replaces_an_earlier_file_and_leaves_no_temporary_file()
    {
        using var f = new ExportFixture("linear(3) relu linear(3)", [2]);
        File.WriteAllText(f.PathFor(), "earlier");

        var result = f.Export();

        Assert.Equal(f.PathFor(), result.Path);
        Assert.Equal([f.PathFor()], Directory.EnumerateFileSystemEntries(f.Dir));
        Assert.Equal(4, ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path)).Graph.Node.Count);
    }

    /// <summary>Adds <paramref name="delta"/> to every element of an initializer.</summary>
    private static void Nudge(GraphProto graph, string initializer, double delta)
    {
        var t = graph.Initializer.Single(i => i.Name == initializer);
        var bytes = t.RawData.ToByteArray();
        if (t.DataType == (int)TensorProto.Types.DataType.Double)
        {
            var values = MemoryMarshal.Cast<byte, double>(bytes.AsSpan());
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += delta;
            }
        }
        else
        {
            var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += (float)delta;
            }
        }
        t.RawData = ByteString.CopyFrom(bytes);
    }
}
