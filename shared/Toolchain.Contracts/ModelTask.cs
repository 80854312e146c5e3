using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>What a model predicts. Written to the card as "binary", "multiclass" or "regression".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
public enum ModelTask
{
    /// <summary>One probability (of class 1) per example, read as the two classes [1-p, p].</summary>
    [JsonStringEnumMemberName("binary")]
    Binary,

    /// <summary>One logit or probability per class.</summary>
    [JsonStringEnumMemberName("multiclass")]
    Multiclass,

    /// <summary>
    /// One number per target, in the target's own units (<see cref="ModelCard.TargetNames"/>): the graph ends with the
    /// inverse of the standardisation it was trained with, so its output needs no post-processing.
    /// </summary>
    [JsonStringEnumMemberName("regression")]
    Regression,
}
