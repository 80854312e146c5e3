using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>The loss a run minimises.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LossFunction>))]
public enum LossFunction
{
    /// <summary>"mse": mean squared error over all output elements, as nn.MSELoss (the xor net's sigmoid output).</summary>
    [JsonStringEnumMemberName("mse")]
    Mse,

    /// <summary>"cross-entropy": softmax cross-entropy over class logits.</summary>
    [JsonStringEnumMemberName("cross-entropy")]
    CrossEntropy,

    /// <summary>
    /// "huber": squared error within one standard deviation of the target, absolute error beyond (regression; the
    /// targets are standardised, so the threshold is in the target's own spread). Outliers pull less than under MSE.
    /// </summary>
    [JsonStringEnumMemberName("huber")]
    Huber,

    /// <summary>"mae": mean absolute error (regression): fits the median, the least pulled by outliers.</summary>
    [JsonStringEnumMemberName("mae")]
    Mae,
}
