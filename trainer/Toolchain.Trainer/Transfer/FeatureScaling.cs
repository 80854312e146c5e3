using Toolchain.Trainer.Models;
using Toolchain.Trainer.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// Standardisation of a backbone's features for head training: pooled ReLU features range over orders of magnitude
/// (ResNet18's from 0 to about 20, most near 0.5), and a head learns faster and generalises better on z-scores, as a
/// logistic regression on scikit-learn's StandardScaler does. While the backbone is fine-tuned the scaling stays a fixed
/// layer before the head, so the head keeps the parameterisation it learnt; at the end it is folded into the head's first
/// linear layer (W/σ, b − W·μ/σ), so the head takes the raw features and the exported graph needs no extra node.
/// </summary>
internal sealed class FeatureScaling : nn.Module<Tensor, Tensor>
{
    private FeatureScaling(Tensor mean, Tensor std) : base("scaling")
    {
        Mean = mean;
        Std = std;
        register_buffer("mean", mean, persistent: false);
        register_buffer("std", std, persistent: false);
    }

    /// <summary>Per-feature means of the training rows.</summary>
    public Tensor Mean { get; }

    /// <summary>Per-feature standard deviations (1 for a constant feature).</summary>
    public Tensor Std { get; }

    /// <summary>Whether <paramref name="head"/> can take the scaling folded in: its first layer after any dropout is linear.</summary>
    public static bool CanFold(ArchitectureSpec head) => head.Layers.SkipWhile(l => l is DropoutLayer).FirstOrDefault() is LinearLayer;

    /// <summary>The scaling of <paramref name="rows"/> ([N, width], float32).</summary>
    public static FeatureScaling Of(Tensor rows)
    {
        using var scope = NewDisposeScope();
        var mean = rows.mean([0]);
        var std = rows.std(0, unbiased: false);
        std = where(std.gt(1e-6), std, ones_like(std));
        return new FeatureScaling(mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }

    /// <summary>Scales rows in place: (x − μ) / σ.</summary>
    public Tensor Apply(Tensor rows) => rows.sub_(Mean).div_(Std);

    /// <summary>(x − μ) / σ, as a fixed layer between a backbone being fine-tuned and the head trained on scaled features.</summary>
    public override Tensor forward(Tensor features) => features.sub(Mean).div(Std);

    /// <summary>Folds the scaling into the first linear layer of <paramref name="head"/>, which then takes raw features.</summary>
    public void FoldInto(Sequential head)
    {
        var linear = head.children().OfType<TorchSharp.Modules.Linear>().First();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var weight = linear.weight!.div(Std.unsqueeze(0));
        linear.weight.copy_(weight);
        if (linear.bias is { } bias)
        {
            bias.sub_(weight.matmul(Mean));
        }
    }

}
