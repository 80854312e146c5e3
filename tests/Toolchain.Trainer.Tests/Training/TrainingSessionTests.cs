using Toolchain.Contracts;
using Toolchain.Trainer.Onnx;
using Toolchain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Tests.Training;

/// <summary>
/// The pipeline's seams, as the transfer path uses them: its own data loader, a network kind with a frozen part, a
/// slower part and its own training mode, and its own exporter; the loop, checkpoint, charts and metrics stay the same.
/// </summary>
[Collection(TorchRandomState.Name)]
public class TrainingSessionTests
{
    [Fact]
    public void A_model_kind_plugs_in_its_network_parameter_groups_training_mode_and_exporter()
    {
        using var dir = new TempDir();
        var kind = new TwoPartKind();
        var request = new TrainingRequest
        {
            Options = TrainingFixtures.TinyImageOptions(epochs: 2) with { Architecture = "flatten linear(4)", AugmentShift = 0, LrSchedule = LearningRateDecay.None },
            OutDir = dir.Path,
            DataRoot = dir.Path,
            Device = CPU,
            Given = new GivenOptions(Architecture: true, Augment: true),
            LoadData = (_, device, _) => (TrainingFixtures.TinyImageData(), "quadrants-from-a-test-loader"),
            ModelKind = (_, data) => kind,
        };
        using var session = TrainingSession.Open(request, _ => { });

        var outcome = session.Train(new RecordingObserver(), CancellationToken.None);
        using var run = outcome.Run;
        session.WriteCharts(run);
        var exported = session.Export(run, new ExportSettings(PixelInput: true));
        var metrics = session.WriteArtifacts(outcome, 1, null, exported);

        // The frozen part did not move, the slow part moved less than the fast part per unit of gradient, and the
        // kind's training mode kept the frozen part in eval mode throughout.
        Assert.Equal(kind.FrozenBefore, kind.Frozen.weight!.detach().clone().data<float>().ToArray());
        Assert.Equal([0.1, 1.0], run.Optimizer.ParamGroups.Select(g => Math.Round(g.LearningRate / request.Options.LearningRate, 6)));
        Assert.True(kind.TrainingModeCalls >= 2);
        Assert.False(kind.Frozen.training);
        // The kind's exporter got the trained network and the settings; metrics and the checkpoint record the kind.
        Assert.Same(run.Model, kind.ExportedModel);
        Assert.True(kind.ExportedSettings!.PixelInput);
        Assert.Equal("two-part test net", metrics.Architecture);
        Assert.Equal("/exported/by/test", metrics.Onnx);
        // Reading a checkpoint back parses its architecture as a spec; another kind brings its own resume.
        Assert.Contains("two-part test net", File.ReadAllText(Path.Combine(dir.Path, Checkpoint.FileName), System.Text.Encoding.Latin1));
        Assert.True(File.Exists(Path.Combine(dir.Path, "history.csv")));
        Assert.Equal("quadrants-from-a-test-loader", session.DatasetSpec);
    }

    /// <summary>flatten → frozen linear(64→8) → slow linear(8→8) → fast linear(8→4).</summary>
    private sealed class TwoPartKind : IModelKind, IModelExporter
    {
        public Linear Frozen { get; private set; } = null!;

        public float[] FrozenBefore { get; private set; } = [];

        public int TrainingModeCalls { get; private set; }

        public Module<Tensor, Tensor>? ExportedModel { get; private set; }

        public ExportSettings? ExportedSettings { get; private set; }

        public string Architecture => "two-part test net";

        public IModelExporter Exporter => this;

        public Module<Tensor, Tensor> Build()
        {
            Frozen = Linear(64, 8);
            FrozenBefore = Frozen.weight!.detach().clone().data<float>().ToArray();
            return Sequential(("0", Flatten()), ("1", Frozen), ("2", Linear(8, 8)), ("3", ReLU()), ("4", Linear(8, 4)));
        }

        public IReadOnlyList<ParameterGroup> ParameterGroups(Module<Tensor, Tensor> model)
        {
            var children = model.named_children().ToDictionary(c => c.name, c => c.module);
            return [new ParameterGroup([.. children["2"].parameters()], 0.1), new ParameterGroup([.. children["4"].parameters()], 1.0)];
        }

        public void SetTrainingMode(Module<Tensor, Tensor> model)
        {
            TrainingModeCalls++;
            model.train();
            Frozen.eval();
        }

        public ExportResult Export(Module<Tensor, Tensor> model, ModelCard card, TrainingData data, string path, ExportSettings settings)
        {
            ExportedModel = model;
            ExportedSettings = settings;
            return new ExportResult("/exported/by/test", 0, 0, card);
        }
    }
}
