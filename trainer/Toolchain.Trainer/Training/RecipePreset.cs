using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>The recipe a run starts from (<c>--preset</c>; see <see cref="ModelPresets"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecipePreset>))]
public enum RecipePreset
{
    /// <summary>"default": the tuned recipe of each model.</summary>
    [JsonStringEnumMemberName("default")]
    Default,

    /// <summary>"plain": Adam 0.001 at a constant rate, no augmentation (the PyTorch comparison recipe).</summary>
    [JsonStringEnumMemberName("plain")]
    Plain,

    /// <summary>"notebook": the notebook's own MNIST settings.</summary>
    [JsonStringEnumMemberName("notebook")]
    Notebook,
}
