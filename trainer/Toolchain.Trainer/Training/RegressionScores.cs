using Toolchain.Data.Metrics;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Scores a regression network's outputs against its targets (both [rows, targets] tensors) chunk by chunk, summing on
/// the device and finishing with <see cref="RegressionReport.Sums"/>, the same arithmetic <c>infer eval</c> uses.
/// </summary>
/// <param name="targets">Targets per row.</param>
public sealed class RegressionScores(int targets)
{
    private readonly RegressionReport.Sums _sums = new(targets);

    /// <summary>Adds predictions <paramref name="output"/> for <paramref name="target"/>, both [rows, targets].</summary>
    public void Add(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        var y = target.to(float64);
        var error = output.to(float64).sub(y);
        Accumulate(_sums.Squares, error.square().sum(0L));
        Accumulate(_sums.Absolute, error.abs().sum(0L));
        Accumulate(_sums.Sum, y.sum(0L));
        Accumulate(_sums.SumOfSquares, y.square().sum(0L));
        _sums.Rows += output.shape[0];
    }

    /// <summary>The scores of everything added, in the units of the tensors.</summary>
    public RegressionReport Report() => _sums.Report();

    private static void Accumulate(double[] into, Tensor perTarget)
    {
        var values = perTarget.data<double>().ToArray();
        for (int t = 0; t < into.Length; t++)
        {
            into[t] += values[t];
        }
    }
}
