using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>The models <c>trainer train</c> knows, each with its preset recipes (<see cref="ModelPresets"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BuiltInModel>))]
public enum BuiltInModel
{
    /// <summary>"xor": the notebook's 2-2-1 sigmoid net on the XOR draw, in float64.</summary>
    [JsonStringEnumMemberName("xor")]
    Xor,

    /// <summary>"mlp": the notebook's MNIST multilayer perceptron.</summary>
    [JsonStringEnumMemberName("mlp")]
    Mlp,

    /// <summary>"cnn": the notebook's MNIST convolutional net.</summary>
    [JsonStringEnumMemberName("cnn")]
    Cnn,
}
