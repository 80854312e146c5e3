using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>The optimizer a run steps its weights with (<c>--optimizer</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>"sgd": stochastic gradient descent, with optional momentum.</summary>
    [JsonStringEnumMemberName("sgd")]
    Sgd,

    /// <summary>"adam": Adam.</summary>
    [JsonStringEnumMemberName("adam")]
    Adam,
}
