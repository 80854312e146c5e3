using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Toolchain.Contracts;
using Toolchain.Trainer.Transfer.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// A pretrained backbone as a transfer run uses it: the checked file and config (<see cref="Backbone"/>), what the
/// feature cache key needs, the featurizer graph ONNX Runtime runs, and the imported TorchSharp graph for fine-tuning
/// and export. The import costs seconds for ResNet18, so it happens only when the run needs it: a run whose features
/// are cached starts training without it.
/// </summary>
public sealed class TransferBackbone : IDisposable
{
    private ImportedGraph? _graph;

    private TransferBackbone(Backbone backbone, FeatureSet features)
    {
        Backbone = backbone;
        Features = features;
    }

    /// <summary>The file and its config.</summary>
    public Backbone Backbone { get; }

    /// <summary>Short name, e.g. resnet18.</summary>
    public string Name => Backbone.Config.Name;

    /// <summary>SHA-256 of the backbone file.</summary>
    public string Digest => Backbone.Sha256;

    /// <summary>What the head reads, as asked (<see cref="ImportedGraph.FeatureSet"/> says what it reads once imported).</summary>
    public FeatureSet Features { get; }

    /// <summary>Input height.</summary>
    public int Height => Backbone.Config.Height;

    /// <summary>Input width.</summary>
    public int Width => Backbone.Config.Width;

    /// <summary>The featurizer's feature output.</summary>
    public string FeaturesOutput => BackboneGraphs.Features;

    /// <summary>The featurizer's output of the activations where the last stage starts.</summary>
    public string StageOutput => BackboneGraphs.Stage;

    /// <summary>
    /// Everything besides the file that the features depend on, as one line for the cache key: the tensors read,
    /// the input size, the preprocessing (the mean image by digest), where the last stage starts and what the head reads.
    /// </summary>
    public string ConfigKey
    {
        get
        {
            var c = Backbone.Config;
            var mean = Backbone.MeanImage is { } image
                ? "mean image " + Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(image.ToArray().AsSpan())))
                : "mean " + string.Join(',', c.Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            return string.Create(CultureInfo.InvariantCulture,
                $"{c.Input} {c.Output} {c.Height}x{c.Width} {c.ChannelOrder} x{c.Scale:R} {mean} std {string.Join(',', c.Std)} last {c.LastStage} head reads {EnumText.Of(Features)}");
        }
    }

    /// <summary>
    /// Opens the built-in backbone or the ONNX file <paramref name="backbone"/> with <paramref name="configPath"/>; a missing, unreadable,
    /// corrupt or mismatching file or config is one line naming it. <paramref name="features"/>: what the head reads.
    /// </summary>
    public static TransferBackbone Open(string backbone, string? configPath, FeatureSet features = FeatureSet.WithStage)
    {
        if (backbone == BuiltInBackbone.Name)
        {
            return new TransferBackbone(Backbone.BuiltIn(), features);
        }
        if (configPath is null)
        {
            throw new ToolchainException($"--backbone {backbone}: an ONNX backbone needs --backbone-config FILE.json (input and output names, size, channel order, scale, mean/std)");
        }
        if (!File.Exists(backbone) && !Directory.Exists(backbone) && !backbone.Contains('/') && !backbone.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            throw new ToolchainException($"--backbone: unknown backbone '{backbone}' (built in: {BuiltInBackbone.Name}; or an ONNX file)");
        }
        return new TransferBackbone(Backbone.Load(backbone, BackboneConfig.Load(configPath)), features);
    }

    /// <summary>
    /// The imported graph, imported on first use: one image runs through it, so an unsupported op, or an output that is
    /// not one vector per image, is refused here in one line. It reads <see cref="Features"/> where it has a stage to average.
    /// </summary>
    public ImportedGraph Graph
    {
        get
        {
            if (_graph is null)
            {
                _graph = Backbone.Import();
                _graph.UseFeatures(Features);
            }
            return _graph;
        }
    }

    /// <summary>
    /// Writes the featurizer (uint8 pixels in, the backbone's preprocessing inside, any batch) into
    /// <paramref name="workDirectory"/>; with <paramref name="withStage"/> it also outputs the activations where the last
    /// stage starts.
    /// </summary>
    public FeaturizerGraph Featurizer(string workDirectory, bool withStage)
    {
        Graph.SetTuning(withStage ? BackboneTuning.Last : BackboneTuning.Frozen);
        var path = Path.Combine(workDirectory, $"{Digest[..16]}{(withStage ? "-stage" : "")}.featurizer.onnx");
        BackboneGraphs.WriteFeaturizer(Backbone, Graph, pixelInput: true, path, withStage);
        return new FeaturizerGraph(path, Onnx.OnnxGraphEmitter.InputName, Height, Width, withStage ? [FeaturesOutput, StageOutput] : [FeaturesOutput]);
    }

    /// <summary>
    /// The part that trains in <paramref name="mode"/>, with the pretrained weights: for <see cref="FineTuneMode.Last"/>
    /// the last stage (activations at <see cref="StageOutput"/> in, features out); for <see cref="FineTuneMode.All"/>
    /// the preprocessing and the whole backbone (uint8-valued pixels in, features out). Frozen parameters do not
    /// require gradients, and frozen BatchNorm layers stay in eval mode when it trains.
    /// </summary>
    public nn.Module<Tensor, Tensor> Trainable(FineTuneMode mode)
    {
        Graph.SetTuning(mode switch
        {
            FineTuneMode.Last => BackboneTuning.Last,
            FineTuneMode.All => BackboneTuning.All,
            _ => BackboneTuning.Frozen,
        });
        return mode == FineTuneMode.All
            ? new TrainablePart(Graph, new BackbonePreprocessing(Backbone, pixelInput: true), whole: true)
            : new TrainablePart(Graph, null, whole: false);
    }

    /// <inheritdoc />
    public void Dispose() => _graph?.Dispose();

    /// <summary>
    /// The trainable part of the imported graph as one module. Disposing it disposes the graph too (TorchSharp disposes
    /// registered children); the <see cref="TransferBackbone"/> disposing it again later is harmless.
    /// </summary>
    private sealed class TrainablePart : nn.Module<Tensor, Tensor>
    {
        private readonly ImportedGraph _graph;
        private readonly BackbonePreprocessing? _preprocessing;
        private readonly bool _whole;

        public TrainablePart(ImportedGraph graph, BackbonePreprocessing? preprocessing, bool whole) : base("trainable")
        {
            _graph = graph;
            _preprocessing = preprocessing;
            _whole = whole;
            register_module("backbone", graph);
            if (preprocessing is not null)
            {
                register_module("preprocessing", preprocessing);
            }
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var features = _whole ? _graph.HeadInput(_preprocessing!.forward(input)) : _graph.HeadInputFromStage(input);
            return features.MoveToOuterDisposeScope();
        }
    }
}
