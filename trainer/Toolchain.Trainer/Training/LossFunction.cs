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
}
