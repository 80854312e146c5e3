using Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// Makes an image graph take raw uint8 pixels (<c>--input uint8</c>): its input becomes UINT8 and Cast to float, divide
/// by 255 and the card's normalisation ((x - mean) / std) run at its head, so clients outside .NET send pixels, a
/// quarter of the bytes of float32, with no normalisation to get wrong. TorchSharp gets the same steps in the same
/// float32 order (<see cref="Normalise"/>), so the export parity check compares like with like.
/// </summary>
internal static class PixelInputHead
{
    private const string Normalised = "input_normalised";

    /// <summary>Rewires <paramref name="graph"/> (emitted for float32 input) to take uint8 pixels.</summary>
    public static void Prepend(GraphProto graph, double mean, double std)
    {
        const string input = OnnxGraphEmitter.InputName;
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == input)
                {
                    node.Input[i] = Normalised;
                }
            }
        }
        graph.Input.Single(v => v.Name == input).Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Uint8;
        graph.Initializer.Add(Scalar("pixel_scale", 255f));
        graph.Initializer.Add(Scalar("pixel_mean", (float)mean));
        graph.Initializer.Add(Scalar("pixel_std", (float)std));
        var cast = new NodeProto { Name = "pixels_to_float", OpType = "Cast", Input = { input }, Output = { "input_float" } };
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        NodeProto[] head =
        [
            cast,
            new() { Name = "pixels_scale", OpType = "Div", Input = { "input_float", "pixel_scale" }, Output = { "input_unit" } },
            new() { Name = "pixels_centre", OpType = "Sub", Input = { "input_unit", "pixel_mean" }, Output = { "input_centred" } },
            new() { Name = "pixels_normalise", OpType = "Div", Input = { "input_centred", "pixel_std" }, Output = { Normalised } },
        ];
        for (var i = head.Length - 1; i >= 0; i--)
        {
            graph.Node.Insert(0, head[i]);
        }
    }

    /// <summary>What the head computes, in TorchSharp: uint8 pixels to the network's normalised float32 input.</summary>
    public static Tensor Normalise(Tensor pixels, double mean, double std) =>
        pixels.to_type(ScalarType.Float32)
            .div(tensor(255f)).sub(tensor((float)mean)).div(tensor((float)std));

    /// <summary>Normalised float inputs back to the pixels they came from (0-255, rounded), for verification.</summary>
    public static Tensor Pixels(Tensor normalised, double mean, double std) =>
        normalised.to_type(ScalarType.Float64).mul(std).add(mean).mul(255).round().clamp(0, 255).to_type(ScalarType.Byte);

    private static TensorProto Scalar(string name, float value)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.FloatData.Add(value);
        return t;
    }
}
