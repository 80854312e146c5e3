using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// A regression network with its output mapped back to the targets' units (z · std + mean, in the element type, as the
/// exported graph's Mul and Add compute it): what export verification compares the graph with. Owns nothing: the
/// wrapped network stays the caller's.
/// </summary>
internal sealed class OutputScalingNetwork : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _network;
    private readonly Tensor _std;
    private readonly Tensor _mean;

    public OutputScalingNetwork(Module<Tensor, Tensor> network, double[] means, double[] stds, ScalarType type) : base("output_scaling")
    {
        _network = network;
        var device = network.parameters().FirstOrDefault()?.device ?? CPU;
        using var std = tensor(stds, [1, stds.Length], float64);
        using var mean = tensor(means, [1, means.Length], float64);
        _std = std.to_type(type).to(device);
        _mean = mean.to_type(type).to(device);
    }

    /// <summary>The wrapped network's parameters, so callers find its device and element type.</summary>
    public override IEnumerable<TorchSharp.Modules.Parameter> parameters(bool recurse = true) => _network.parameters(recurse);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return _network.forward(input).mul(_std).add(_mean).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _std.Dispose();
            _mean.Dispose();
        }
        // The wrapped network is not registered as a child, so base.Dispose leaves it alone.
        base.Dispose(disposing);
    }
}
