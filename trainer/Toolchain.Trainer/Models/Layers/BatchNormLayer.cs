using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>batchnorm(eps=1e-5,momentum=0.1)</c> (also <c>bn</c>): 1-D over features or 2-D over channels, chosen by the input rank.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="Eps">Epsilon added to the variance.</param>
/// <param name="Momentum">Running-statistics momentum.</param>
public sealed record BatchNormLayer(string Token, int Position, double Eps, double Momentum) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "batchnorm";

    /// <inheritdoc />
    public override bool HasParameters => true;

    /// <inheritdoc />
    public override string ToCanonical() => "batchnorm" + (Eps == 1e-5 && Momentum == 0.1 ? "" : $"(eps={Num(Eps)},momentum={Num(Momentum)})");

    internal static BatchNormLayer Parse(LayerArgs a) => new(a.Token, a.Position,
        Eps: a.Double(0, "eps", 1e-5, min: 1e-12, max: 1),
        Momentum: a.Double(1, "momentum", 0.1, min: 0, max: 1));

    internal override long[] OutputShape(long[] input) => input.Length is 1 or 3
        ? input
        : throw new LayerMisfit($"needs a flat or [channels,height,width] input but gets {ArchitectureSpec.FormatShape(input)}");

    internal override double ParameterCount(long[] input) => 2.0 * input[0];

    internal override Module<Tensor, Tensor> Build(long[] input) => input.Length == 1
        ? BatchNorm1d(input[0], Eps, Momentum)
        : BatchNorm2d(input[0], Eps, Momentum);

    internal override void Emit(LayerEmission e)
    {
        e.Expect("BatchNorm1d", "BatchNorm2d");
        string p = e.Prefix;
        var parameters = e.Parameters();
        var buffers = e.Buffers();
        if (!buffers.TryGetValue("running_mean", out var mean) || !buffers.TryGetValue("running_var", out var variance))
        {
            throw e.Fail("has no running statistics to export");
        }
        long channels = mean.shape[0];
        string scale = parameters.TryGetValue("weight", out var w)
            ? e.Initializer(OnnxInitializers.FromTensor($"{p}.weight", w, e.Type))
            : e.Initializer(OnnxInitializers.FromValues($"{p}.weight", Enumerable.Repeat(1.0, (int)channels).ToArray(), [channels], e.Type));
        string bias = parameters.TryGetValue("bias", out var b)
            ? e.Initializer(OnnxInitializers.FromTensor($"{p}.bias", b, e.Type))
            : e.Initializer(OnnxInitializers.FromValues($"{p}.bias", new double[channels], [channels], e.Type));
        string meanName = e.Initializer(OnnxInitializers.FromTensor($"{p}.running_mean", mean, e.Type));

        double eps = Eps;
        string varName;
        if (e.Type.IsDouble && (double)(float)eps != eps)
        {
            // epsilon is a float attribute; fold the exact double epsilon into the variance (as TorchSharp adds it) instead.
            using var scope = NewDisposeScope();
            var folded = variance.detach().cpu().to_type(ScalarType.Float64) + eps;
            varName = e.Initializer(OnnxInitializers.FromTensor($"{p}.running_var_plus_eps", folded, e.Type));
            eps = 0;
        }
        else
        {
            varName = e.Initializer(OnnxInitializers.FromTensor($"{p}.running_var", variance, e.Type));
        }
        e.Node("BatchNormalization", p, [e.Current, scale, bias, meanName, varName], OnnxAttribute.Float("epsilon", eps));
    }
}
