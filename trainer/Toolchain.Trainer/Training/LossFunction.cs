using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>The loss a run minimises.</summary>
[JsonConverter(typeof(RecipeJsonConverter<LossFunction>))]
public enum LossFunction
{
    /// <summary>"mse": mean squared error over all output elements, as nn.MSELoss (the xor net's sigmoid output).</summary>
    Mse,

    /// <summary>"cross-entropy": softmax cross-entropy over class logits.</summary>
    CrossEntropy,

    /// <summary>
    /// "huber": squared error within one standard deviation of the target, absolute error beyond (regression; the
    /// targets are standardised, so the threshold is in the target's own spread). Outliers pull less than under MSE.
    /// </summary>
    Huber,

    /// <summary>"mae": mean absolute error (regression): fits the median, the least pulled by outliers.</summary>
    Mae,
}
