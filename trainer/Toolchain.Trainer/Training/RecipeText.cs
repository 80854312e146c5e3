using Toolchain.Contracts;
using Toolchain.Data.Tables;

namespace Toolchain.Trainer.Training;

/// <summary>
/// How messages name the training-recipe enums. Their spellings (what <c>trainer train</c> takes, what the card's
/// hyperparameters, metrics.json and the checkpoint store) are the values' <c>[JsonStringEnumMemberName]</c>, read
/// through <see cref="EnumText"/>; reading a flag is exact, and a flag that also takes other casings lowers its value
/// before it gets here.
/// </summary>
public static class RecipeText
{
    /// <summary>What a value of <typeparamref name="T"/> is called in messages: "model", "optimizer", "loss", "schedule", "preset", "augmentation", "flip mode"; null for an enum that is no recipe setting.</summary>
    public static string? NounOrNull<T>() where T : struct, Enum => typeof(T) switch
    {
        var t when t == typeof(BuiltInModel) => "model",
        var t when t == typeof(OptimizerKind) => "optimizer",
        var t when t == typeof(LossFunction) => "loss",
        var t when t == typeof(LearningRateDecay) => "schedule",
        var t when t == typeof(RecipePreset) => "preset",
        var t when t == typeof(TableTask) => "task",
        var t when t == typeof(AugmentLevel) => "augmentation",
        var t when t == typeof(FlipMode) => "flip mode",
        _ => null,
    };

    /// <summary>What a value of <typeparamref name="T"/> is called in messages (see <see cref="NounOrNull{T}"/>).</summary>
    public static string Noun<T>() where T : struct, Enum =>
        NounOrNull<T>() ?? throw new ArgumentOutOfRangeException(nameof(T), typeof(T), null);

    /// <summary>The problem with a text that is no value of <typeparamref name="T"/>: "unknown optimizer 'rmsprop' (known: sgd, adam)".</summary>
    public static string Unknown<T>(string? text) where T : struct, Enum => $"unknown {Noun<T>()} '{text}' (known: {EnumText.Known<T>()})";
}
