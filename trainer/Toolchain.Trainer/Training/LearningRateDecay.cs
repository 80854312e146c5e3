using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>How the learning rate changes over a run (<c>--lr-schedule</c>; see <see cref="LearningRateSchedule"/>).</summary>
[JsonConverter(typeof(RecipeJsonConverter<LearningRateDecay>))]
public enum LearningRateDecay
{
    /// <summary>"none": the base rate throughout.</summary>
    None,

    /// <summary>"cosine": a per-batch half cosine from the base rate towards zero over the run.</summary>
    Cosine,
}
