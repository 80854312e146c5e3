using System.Text.Json;
using Toolchain.Contracts;
using Toolchain.Data.Tables;
using Toolchain.Trainer.Training;
using Toolchain.Trainer.Transfer;

namespace Toolchain.Trainer.Tests.Training;

public class RecipeTextTests
{
    /// <summary>
    /// The options of an mlp run as a checkpoint header stored them when these settings were strings; every
    /// checkpoint written before the enums carries this shape.
    /// </summary>
    internal const string StringEraMlpOptions =
        """{"Model":"mlp","Architecture":"flatten linear(256) relu linear(128) relu linear(10)","Dataset":"auto","Epochs":5,"BatchSize":64,"LearningRate":0.002,"Optimizer":"adam","Momentum":0,"WeightDecay":0,"LrSchedule":"cosine","AugmentShift":1,"Loss":"cross-entropy","ElementType":"float32","Seed":0,"Restarts":1,"NormalizationMean":null,"NormalizationStd":null,"DataSeed":0,"LabelColumn":null,"TestFraction":null,"SplitSeed":0,"Channels":null,"ImageSize":null,"Strict":false,"Preset":"plain"}""";

    [Fact]
    public void Every_value_has_the_text_the_flags_cards_and_checkpoints_used_as_strings()
    {
        Assert.Equal(["xor", "mlp", "cnn"], Enum.GetValues<BuiltInModel>().Select(EnumText.Of));
        Assert.Equal(["sgd", "adam"], Enum.GetValues<OptimizerKind>().Select(EnumText.Of));
        Assert.Equal(["mse", "cross-entropy", "huber", "mae"], Enum.GetValues<LossFunction>().Select(EnumText.Of));
        Assert.Equal(["none", "cosine", "warmup-cosine"], Enum.GetValues<LearningRateDecay>().Select(EnumText.Of));
        Assert.Equal(["default", "plain", "notebook"], Enum.GetValues<RecipePreset>().Select(EnumText.Of));
        Assert.Equal(["auto", "classification", "regression"], Enum.GetValues<TableTask>().Select(EnumText.Of));
        Assert.Equal(["shift", "none", "light", "standard", "auto"], Enum.GetValues<AugmentLevel>().Select(EnumText.Of));
        Assert.Equal(["auto", "on", "off"], Enum.GetValues<FlipMode>().Select(EnumText.Of));
        Assert.Equal(["none", "last", "all"], Enum.GetValues<FineTuneMode>().Select(EnumText.Of));
    }

    [Fact]
    public void JSON_writes_every_recipe_value_in_the_same_words()
    {
        static void Same<T>() where T : struct, Enum =>
            Assert.All(Enum.GetValues<T>(), v => Assert.Equal($"\"{EnumText.Of(v)}\"", JsonSerializer.Serialize(v)));
        Same<BuiltInModel>();
        Same<OptimizerKind>();
        Same<LossFunction>();
        Same<LearningRateDecay>();
        Same<RecipePreset>();
        Same<TableTask>();
        Same<AugmentLevel>();
        Same<FlipMode>();
        Same<FineTuneMode>();
    }

    [Fact]
    public void Text_reads_back_exactly_and_nothing_else_does()
    {
        Assert.All(Enum.GetValues<LossFunction>(), v => Assert.Equal(v, EnumText.ParseExact<LossFunction>(EnumText.Of(v))));
        Assert.Equal(BuiltInModel.Cnn, EnumText.ParseExact<BuiltInModel>("cnn"));
        Assert.Null(EnumText.ParseExact<BuiltInModel>("Cnn"));
        Assert.Null(EnumText.ParseExact<LossFunction>("CrossEntropy"));
        Assert.Null(EnumText.ParseExact<OptimizerKind>(null));
        Assert.Equal("unknown schedule 'step' (known: none, cosine, warmup-cosine)", RecipeText.Unknown<LearningRateDecay>("step"));
    }

    [Fact]
    public void Options_stored_as_strings_read_as_enums_and_write_back_the_same_text()
    {
        var options = JsonSerializer.Deserialize<TrainingOptions>(StringEraMlpOptions)!;
        Assert.Equal((BuiltInModel.Mlp, OptimizerKind.Adam, LearningRateDecay.Cosine, LossFunction.CrossEntropy, RecipePreset.Plain, ElementType.Float32),
            (options.Model, options.Optimizer, options.LrSchedule, options.Loss, options.Preset, options.ElementType));
        options.Validate();
        Assert.Equal(StringEraMlpOptions, WithoutLaterFields(JsonSerializer.Serialize(options)));
    }

    /// <summary>
    /// The options' JSON without the fields added after the string era (augmentation levels, flips, validation,
    /// patience), which must themselves be written in words: shifts (or none, for xor), automatic flips, no split.
    /// </summary>
    internal static string WithoutLaterFields(string json)
    {
        var o = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.Contains((string)o["Augmentation"]!["Level"]!, new[] { "shift", "none" });
        Assert.Equal(("auto", 0.0, 0), ((string)o["Flip"]!, (double)o["ValidationFraction"]!, (int)o["Patience"]!));
        foreach (var name in new[] { "Augmentation", "Flip", "ValidationFraction", "Patience" })
        {
            o.Remove(name);
        }
        return o.ToJsonString();
    }

    [Fact]
    public void The_card_hyperparameters_keep_their_words()
    {
        var h = ModelPresets.Notebook(BuiltInModel.Cnn).Hyperparameters();
        Assert.Equal(("notebook", "sgd", "none", "cross-entropy"), (h["preset"], h["optimizer"], h["lr_schedule"], h["loss"]));
        var xor = ModelPresets.Default(BuiltInModel.Xor).Hyperparameters();
        Assert.Equal(("default", "sgd", "mse", "0"), (xor["preset"], xor["optimizer"], xor["loss"], xor[ModelCardKeys.DataSeed]));
    }
}
