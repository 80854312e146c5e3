using Toolchain.Contracts;

namespace Toolchain.Inference.Quantization.Calibration;

/// <summary>
/// Examples to calibrate on, model-ready and back to back: normalised as the model's card says (raw pixels 0–255 for
/// a model that normalises its own uint8 input).
/// </summary>
/// <param name="Name">Where they came from (a dataset name, folder or file), recorded in the card.</param>
/// <param name="Values">The examples' values, <paramref name="Count"/> times the model's values per example.</param>
/// <param name="Count">How many examples.</param>
public sealed record CalibrationData(string Name, float[] Values, int Count)
{
    /// <summary>Throws a one-line error when these values do not hold whole examples of <paramref name="featureCount"/> values.</summary>
    internal void Require(long featureCount)
    {
        if (Count < 1 || Values.Length == 0)
        {
            throw new ToolchainException($"calibration set {Name} is empty: it holds no examples to calibrate on");
        }
        if ((long)Count * featureCount != Values.Length)
        {
            throw new ToolchainException(
                $"calibration set {Name}: {Values.Length} values are not {Count} examples of the model's {featureCount} values");
        }
    }

    /// <summary>Example <paramref name="index"/> (wrapping around).</summary>
    internal ReadOnlySpan<float> Example(int index, int featureCount) => Values.AsSpan(index % Count * featureCount, featureCount);
}
