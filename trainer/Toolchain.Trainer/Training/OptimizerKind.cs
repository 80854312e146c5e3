using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>The optimizer a run steps its weights with (<c>--optimizer</c>).</summary>
[JsonConverter(typeof(RecipeJsonConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>"sgd": stochastic gradient descent, with optional momentum.</summary>
    Sgd,

    /// <summary>"adam": Adam.</summary>
    Adam,
}
