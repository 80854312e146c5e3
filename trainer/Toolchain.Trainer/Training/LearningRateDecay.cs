using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>How the learning rate changes over a run (<c>--lr-schedule</c>; see <see cref="LearningRateSchedule"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LearningRateDecay>))]
public enum LearningRateDecay
{
    /// <summary>"none": the base rate throughout.</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>"cosine": a per-batch half cosine from the base rate towards zero over the run.</summary>
    [JsonStringEnumMemberName("cosine")]
    Cosine,

    /// <summary>"warmup-cosine": a linear warm-up over the first 5% of the steps, then half a cosine to zero over the rest.</summary>
    [JsonStringEnumMemberName("warmup-cosine")]
    WarmupCosine,
}
