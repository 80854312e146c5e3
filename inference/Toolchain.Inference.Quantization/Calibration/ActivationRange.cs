namespace Toolchain.Inference.Quantization.Calibration;

/// <summary>The range of values chosen for one activation tensor's quantization.</summary>
/// <param name="Min">The lowest value kept (values below saturate).</param>
/// <param name="Max">The highest value kept.</param>
internal readonly record struct ActivationRange(float Min, float Max);
