using Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// Makes an image graph take raw uint8 pixels (<c>--input uint8</c>): its input becomes UINT8 and Cast to float, divide
/// by 255 and the card's normalisation ((x - mean) / std) run at its head, so clients outside .NET send pixels, a
/// quarter of the bytes of float32, with no normalisation to get wrong. TorchSharp gets the same steps in the same
/// float32 order (<see cref="Normalise"/>), so the export parity check compares like with like. The mean and std are
/// per channel (a colour model's own, [1,C,1,1]); one value for every channel is written as a scalar, as before.
/// </summary>
internal static class PixelInputHead
{
    private const string Normalised = "input_normalised";

    /// <summary>Rewires <paramref name="graph"/> (emitted for float32 input) to take uint8 pixels.</summary>
    public static void Prepend(GraphProto graph, IReadOnlyList<double> means, IReadOnlyList<double> stds)
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
        graph.Initializer.Add(PerChannel("pixel_scale", [255.0]));
        graph.Initializer.Add(PerChannel("pixel_mean", means));
        graph.Initializer.Add(PerChannel("pixel_std", stds));
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
    public static Tensor Normalise(Tensor pixels, IReadOnlyList<double> means, IReadOnlyList<double> stds)
    {
        using var scope = NewDisposeScope();
        return pixels.to_type(ScalarType.Float32)
            .div(tensor(255f)).sub(Broadcast(means, ScalarType.Float32)).div(Broadcast(stds, ScalarType.Float32)).MoveToOuterDisposeScope();
    }

    /// <summary>Normalised float inputs back to the pixels they came from (0-255, rounded), for verification.</summary>
    public static Tensor Pixels(Tensor normalised, IReadOnlyList<double> means, IReadOnlyList<double> stds)
    {
        using var scope = NewDisposeScope();
        return normalised.to_type(ScalarType.Float64).mul(Broadcast(stds, ScalarType.Float64)).add(Broadcast(means, ScalarType.Float64))
            .mul(255).round().clamp(0, 255).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>One value for every channel, or the channels' own values.</summary>
    private static bool IsOneValue(IReadOnlyList<double> values) => values.All(v => v == values[0]);

    /// <summary>A scalar when every channel shares the value, else shaped [1,C,1,1] to broadcast over NCHW.</summary>
    private static Tensor Broadcast(IReadOnlyList<double> values, ScalarType type) =>
        IsOneValue(values) ? tensor(values[0], type) : tensor(values.ToArray(), type).view(1, values.Count, 1, 1);

    private static TensorProto PerChannel(string name, IReadOnlyList<double> values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        if (IsOneValue(values))
        {
            t.FloatData.Add((float)values[0]);
            return t;
        }
        t.Dims.AddRange([1, values.Count, 1, 1]);
        t.FloatData.AddRange(values.Select(v => (float)v));
        return t;
    }
}
