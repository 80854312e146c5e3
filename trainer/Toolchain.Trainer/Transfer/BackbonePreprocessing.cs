using Onnx;
using Toolchain.Trainer.Transfer.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// What a backbone's config asks of its input, as a TorchSharp module and as ONNX nodes at the head of the exported
/// graph: RGB pixels (uint8 0–255, or float in [0,1]) multiplied into the backbone's range, reordered to its
/// channel order, minus its mean (per channel or a per-pixel image), divided by its std. Both sides run the same
/// float32 steps in the same order (Cast, Mul, Gather, Sub, Div; a step that changes nothing is left out), so the
/// export's parity check compares like with like. Resizing stays outside the graph, as for every image model.
/// </summary>
public sealed class BackbonePreprocessing : nn.Module<Tensor, Tensor>
{
    private readonly float _factor;
    private readonly Tensor? _order;
    private readonly Tensor? _std;

    /// <param name="backbone">The backbone whose config (and mean image) to apply.</param>
    /// <param name="pixelInput">True for uint8 pixels 0–255 (<c>--input uint8</c>), false for float pixels in [0,1].</param>
    public BackbonePreprocessing(Backbone backbone, bool pixelInput) : base("preprocessing")
    {
        ArgumentNullException.ThrowIfNull(backbone);
        var c = backbone.Config;
        PixelInput = pixelInput;
        _factor = (float)(pixelInput ? c.Scale / 255 : c.Scale);
        _order = c.ChannelOrder == ChannelOrder.Bgr ? tensor(new long[] { 2, 1, 0 }) : null;
        var mean = backbone.MeanImage is { } image
            ? tensor(image.ToArray(), [1, c.Channels, c.Height, c.Width])
            : tensor(c.Mean.Select(v => (float)v).ToArray(), [1, c.Channels, 1, 1]);
        _std = c.Std.All(s => s == 1) ? null : tensor(c.Std.Select(v => (float)v).ToArray(), [1, c.Channels, 1, 1]);
        // Registered (so it moves with the module) and read back by name: Module.to replaces registered tensors.
        register_buffer("mean", mean, persistent: false);
        Shape = [c.Channels, c.Height, c.Width];
    }

    private Tensor Mean => get_buffer("mean")!;

    /// <summary>Whether the input is uint8 pixels.</summary>
    public bool PixelInput { get; }

    /// <summary>The input shape without the batch axis: [3, H, W].</summary>
    public long[] Shape { get; }

    /// <summary>Pixels (uint8 values 0–255 or floats in [0,1], as <see cref="PixelInput"/> says; any dtype) to the backbone's input.</summary>
    public override Tensor forward(Tensor pixels)
    {
        var x = pixels.to_type(ScalarType.Float32);
        if (_factor != 1)
        {
            x = x.mul(_factor);
        }
        if (_order is not null)
        {
            x = x.index_select(1, _order.to(x.device));
        }
        x = x.sub(Mean.to(x.device));
        return _std is null ? x : x.div(_std.to(x.device));
    }

    /// <summary>Emits the nodes from the graph input <paramref name="input"/> to <paramref name="output"/> (names used as given).</summary>
    internal void Emit(GraphProto graph, string input, string output)
    {
        var w = new GraphWriter(graph, "");
        var steps = new List<(string Op, string Name, string[] Extra, AttributeProto[] Attributes)>();
        if (PixelInput)
        {
            steps.Add(("Cast", "pixels_to_float", [], [GraphWriter.Int("to", (int)TensorProto.Types.DataType.Float)]));
        }
        if (_factor != 1)
        {
            using var f = tensor(_factor);
            steps.Add(("Mul", "pixels_scale", [w.Initializer("pixels_factor", f)], []));
        }
        if (_order is not null)
        {
            steps.Add(("Gather", "pixels_channel_order", [w.Int64Initializer("pixels_channel_order", [2, 1, 0])], [GraphWriter.Int("axis", 1)]));
        }
        steps.Add(("Sub", "pixels_centre", [w.Initializer("pixels_mean", Mean)], []));
        if (_std is not null)
        {
            steps.Add(("Div", "pixels_normalise", [w.Initializer("pixels_std", _std)], []));
        }
        var current = input;
        for (int i = 0; i < steps.Count; i++)
        {
            var (op, name, extra, attributes) = steps[i];
            var next = i == steps.Count - 1 ? output : $"{name}_out";
            w.Node(op, name, [current, .. extra], next, attributes);
            current = next;
        }
    }
}
