using Toolchain.Data.Tables;

namespace Toolchain.Trainer.Training;

/// <summary>
/// The one text form of each training-recipe enum: what <c>trainer train</c> takes on its command line, what the model
/// card's hyperparameters, metrics.json and the checkpoint store, and what messages print. Reading is exact (ordinal);
/// a flag that also takes other casings lowers its value before it gets here.
/// </summary>
public static class RecipeText
{
    /// <summary>"xor", "mlp" or "cnn".</summary>
    public static string Of(BuiltInModel model) => model switch
    {
        BuiltInModel.Xor => "xor",
        BuiltInModel.Mlp => "mlp",
        BuiltInModel.Cnn => "cnn",
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    /// <summary>"sgd" or "adam".</summary>
    public static string Of(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd => "sgd",
        OptimizerKind.Adam => "adam",
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, null),
    };

    /// <summary>"mse", "cross-entropy", "huber" or "mae".</summary>
    public static string Of(LossFunction loss) => loss switch
    {
        LossFunction.Mse => "mse",
        LossFunction.CrossEntropy => "cross-entropy",
        LossFunction.Huber => "huber",
        LossFunction.Mae => "mae",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>"none", "cosine" or "warmup-cosine".</summary>
    public static string Of(LearningRateDecay decay) => decay switch
    {
        LearningRateDecay.None => "none",
        LearningRateDecay.Cosine => "cosine",
        LearningRateDecay.WarmupCosine => "warmup-cosine",
        _ => throw new ArgumentOutOfRangeException(nameof(decay), decay, null),
    };

    /// <summary>"default", "plain" or "notebook".</summary>
    public static string Of(RecipePreset preset) => preset switch
    {
        RecipePreset.Default => "default",
        RecipePreset.Plain => "plain",
        RecipePreset.Notebook => "notebook",
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
    };

    /// <summary>"auto", "classification" or "regression".</summary>
    public static string Of(TableTask task) => task switch
    {
        TableTask.Auto => "auto",
        TableTask.Classification => "classification",
        TableTask.Regression => "regression",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    /// <summary>"shift", "none", "light", "standard" or "auto".</summary>
    public static string Of(AugmentLevel level) => level switch
    {
        AugmentLevel.Shift => "shift",
        AugmentLevel.None => "none",
        AugmentLevel.Light => "light",
        AugmentLevel.Standard => "standard",
        AugmentLevel.Auto => "auto",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>"auto", "on" or "off".</summary>
    public static string Of(FlipMode flip) => flip switch
    {
        FlipMode.Auto => "auto",
        FlipMode.On => "on",
        FlipMode.Off => "off",
        _ => throw new ArgumentOutOfRangeException(nameof(flip), flip, null),
    };

    /// <summary>The text of any recipe enum value.</summary>
    public static string OfAny<T>(T value) where T : struct, Enum => value switch
    {
        BuiltInModel m => Of(m),
        OptimizerKind o => Of(o),
        LossFunction l => Of(l),
        LearningRateDecay d => Of(d),
        RecipePreset p => Of(p),
        TableTask t => Of(t),
        AugmentLevel a => Of(a),
        FlipMode f => Of(f),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The value whose text is exactly <paramref name="text"/>; null when none is.</summary>
    public static T? Parse<T>(string? text) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(OfAny(value), text, StringComparison.Ordinal))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>Every value's text in declaration order, for messages: "sgd, adam".</summary>
    public static string Known<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(OfAny));

    /// <summary>What a value of <typeparamref name="T"/> is called in messages: "model", "optimizer", "loss", "schedule", "preset", "augmentation", "flip mode".</summary>
    public static string Noun<T>() where T : struct, Enum => typeof(T) switch
    {
        var t when t == typeof(BuiltInModel) => "model",
        var t when t == typeof(OptimizerKind) => "optimizer",
        var t when t == typeof(LossFunction) => "loss",
        var t when t == typeof(LearningRateDecay) => "schedule",
        var t when t == typeof(RecipePreset) => "preset",
        var t when t == typeof(TableTask) => "task",
        var t when t == typeof(AugmentLevel) => "augmentation",
        var t when t == typeof(FlipMode) => "flip mode",
        var t => throw new ArgumentOutOfRangeException(nameof(T), t, null),
    };

    /// <summary>The problem with a text that is no value of <typeparamref name="T"/>: "unknown optimizer 'rmsprop' (known: sgd, adam)".</summary>
    public static string Unknown<T>(string? text) where T : struct, Enum => $"unknown {Noun<T>()} '{text}' (known: {Known<T>()})";
}
