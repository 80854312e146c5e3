using Toolchain.TestSupport;
using Toolchain.Trainer.Tests.Training;
using Toolchain.Trainer.Transfer;
using Toolchain.Trainer.Transfer.Graph.Ops;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Transfer;

[Collection(TorchRandomState.Name)]
public class FineTuneTests
{
    private static TransferOptions Options(string data, FineTuneMode mode) => new()
    {
        Dataset = data,
        FineTune = mode,
        Head = "linear(3)",
        Epochs = 3,
        FineTuneEpochs = 2,
        BatchSize = 8,
        FineTuneBatchSize = 8,
        LearningRate = 0.01,
        Augment = "light",
        Views = 1,
    };

    private static Dictionary<string, Tensor> Weights(TransferBackbone backbone) =>
        backbone.Graph.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    [Fact]
    public void Fine_tuning_the_last_stage_changes_its_weights_and_statistics_and_nothing_before_it()
    {
        using var files = new TransferFiles();
        var data = BackboneFeaturizerTests.WriteColourFolder(files.Dir, 8);
        using var backbone = TransferBackbone.Open(files.Path("tiny.onnx"), files.Path("tiny.json"));
        var before = Weights(backbone);

        using var result = TransferTrainer.Run(Options(data, FineTuneMode.Last), backbone, files.Path("cache"), new TransferHooks(), CancellationToken.None);

        var trainable = backbone.Graph.TrainableNodes.ToHashSet();
        Assert.NotEmpty(trainable);
        Assert.Equal(TinyBackbones.CntkLastStage, backbone.Graph.LastStageInput);
        var after = Weights(backbone);
        var changed = before.Keys.Where(k => !before[k].eq(after[k]).all().item<bool>()).ToList();
        // Every changed tensor (weights, and the running statistics of the stage's BatchNorm layers) is in the last stage...
        Assert.All(changed, name => Assert.Contains(name[..name.IndexOf('.')], trainable));
        Assert.Contains(changed, name => name.EndsWith(".weight", StringComparison.Ordinal));
        Assert.Contains(changed, name => name.EndsWith(".running_mean", StringComparison.Ordinal));
        // ...and the stages before it are bit for bit as imported.
        Assert.Contains(before.Keys, name => !trainable.Contains(name[..name.IndexOf('.')]));
        Assert.DoesNotContain(changed, name => !trainable.Contains(name[..name.IndexOf('.')]));
        Assert.NotNull(result.Trainable);
    }

    [Fact]
    public void While_the_last_stage_trains_the_frozen_BatchNorm_layers_stay_in_eval_mode()
    {
        using var files = new TransferFiles();
        using var backbone = TransferBackbone.Open(files.Path("tiny.onnx"), files.Path("tiny.json"));
        using var trainable = backbone.Trainable(FineTuneMode.Last);

        trainable.train();

        var stage = backbone.Graph.TrainableNodes.ToHashSet();
        var norms = backbone.Graph.named_modules().Where(m => m.module is BatchNormOp).ToList();
        Assert.Contains(norms, m => stage.Contains(m.name));
        Assert.Contains(norms, m => !stage.Contains(m.name));
        Assert.All(norms, m => Assert.Equal(stage.Contains(m.name), m.module.training));
        // Frozen parameters take no gradient; the stage's do.
        Assert.All(backbone.Graph.named_parameters(), p => Assert.Equal(stage.Contains(p.name[..p.name.IndexOf('.')]), p.parameter.requires_grad));
    }
}
