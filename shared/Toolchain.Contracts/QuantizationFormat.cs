using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>How a quantized model's weights and arithmetic were narrowed from float32.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QuantizationFormat>))]
public enum QuantizationFormat
{
    /// <summary>
    /// Static INT8 in QDQ form: QuantizeLinear/DequantizeLinear pairs around Conv, Gemm and MatMul, weights signed 8-bit
    /// per output channel, activations signed 8-bit per tensor from calibration (S8S8), biases int32.
    /// </summary>
    [JsonStringEnumMemberName("int8-qdq")]
    Int8Qdq,

    /// <summary>Dynamic INT8: weights signed 8-bit per output column, activations quantized at run time (MatMulInteger).</summary>
    [JsonStringEnumMemberName("int8-dynamic")]
    Int8Dynamic,

    /// <summary>float16 weights and arithmetic, with float32 inputs and outputs (Casts at the edges), for GPU serving.</summary>
    [JsonStringEnumMemberName("float16")]
    Float16,
}

/// <summary>How calibration turns the activations it observed into each tensor's quantization range.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CalibrationMethod>))]
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen.</summary>
    [JsonStringEnumMemberName("minmax")]
    MinMax,

    /// <summary>The 99.999th percentile of the absolute values seen, clamped to the range seen.</summary>
    [JsonStringEnumMemberName("percentile")]
    Percentile,

    /// <summary>The threshold whose 128-level quantization loses the least information (KL divergence), as TensorRT's.</summary>
    [JsonStringEnumMemberName("entropy")]
    Entropy,
}
