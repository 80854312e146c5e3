using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Transfer;
using Toolchain.Trainer.Transfer.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Transfer;

/// <summary>Loading backbone files, the featurizer, and the composed model.onnx.</summary>
public sealed class TransferExportTests : IDisposable
{
    private readonly TransferFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static ModelCard Card(int classes) => new()
    {
        Task = ModelTask.Multiclass,
        Labels = Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray(),
        InputLayout = InputLayout.Nc,
        InputShape = [],
        ElementType = ElementType.Float32,
        OutputName = "placeholder",
        DatasetName = "unit-test",
        Seed = 3,
    };

    [Fact]
    public void A_digest_mismatch_a_missing_file_and_a_corrupt_file_are_refused_in_one_line()
    {
        var pinned = _files.ConfigFrom(TinyBackbones.CntkConfig(sha256: new string('0', 64)));
        var e = Assert.Throws<InvalidInputFileException>(() => Backbone.Load(null, pinned));
        Assert.Equal($"{_files.Path("tiny.onnx")}: SHA-256 {_files.Sha256("tiny.onnx")} does not match the {new string('0', 64)} pinned by " +
            $"{_files.Path("custom.json")}; the file is corrupt or not the tiny-cntk backbone", e.Message);

        var matching = _files.ConfigFrom(TinyBackbones.CntkConfig(sha256: _files.Sha256("tiny.onnx").ToUpperInvariant()));
        Assert.Equal(_files.Sha256("tiny.onnx"), Backbone.Load(null, matching).Sha256);

        e = Assert.Throws<InvalidInputFileException>(() => Backbone.Load(_files.Path("absent.onnx"), matching));
        Assert.Equal($"{_files.Path("absent.onnx")}: the backbone file does not exist", e.Message);

        File.WriteAllBytes(_files.Path("corrupt.onnx"), File.ReadAllBytes(_files.Path("tiny.onnx"))[..1000]);
        e = Assert.Throws<InvalidInputFileException>(() => Backbone.Load(_files.Path("corrupt.onnx"), _files.Config("tiny.json")));
        Assert.Equal($"{_files.Path("corrupt.onnx")}: is not an ONNX model (corrupt or truncated)", e.Message);
    }

    [Fact]
    public void A_backbone_is_resolved_from_a_file_and_its_config_and_a_file_alone_is_refused()
    {
        Assert.Equal(_files.Sha256("modern.onnx"), Backbone.Resolve(_files.Path("modern.onnx"), _files.Path("tiny.json")).Sha256);
        Assert.Equal(_files.Sha256("tiny.onnx"), Backbone.Resolve(null, _files.Path("tiny.json")).Sha256);
        var e = Assert.Throws<ToolchainException>(() => Backbone.Resolve("mine.onnx", null));
        Assert.Equal("--backbone mine.onnx needs --backbone-config FILE.json: its input and output names, size, channel order, scale and mean/std", e.Message);
    }

    [Fact]
    public void The_mean_image_is_read_from_its_file_and_applied_per_pixel()
    {
        var backbone = _files.Backbone("tiny-mean-image.json");
        Assert.Equal(_files.MeanImage, backbone.MeanImage);
        using var pre = new BackbonePreprocessing(backbone, pixelInput: true);
        using var pixels = full(new long[] { 1, 3, 32, 32 }, 200, ScalarType.Byte);
        using var x = pre.forward(pixels);
        // BGR minus the image: channel 0 (blue) at (y=4, x=8) is 200 − (100 + 0 + 12/4).
        Assert.Equal(97f, x[0, 0, 4, 8].item<float>());
        Assert.Equal(200 - (100 + 20 + (2 / 4f)), x[0, 2, 1, 1].item<float>());
    }

    [Theory]
    [InlineData(false, "tiny-mean-image.json", FeatureSet.Output, 16)]
    [InlineData(true, "tiny-mean-image.json", FeatureSet.Output, 16)]
    [InlineData(true, "tiny-mean-image.json", FeatureSet.WithStage, 24)]
    [InlineData(false, "modern.json", FeatureSet.WithStage, 0)]
    public void The_featurizer_is_written_runs_in_onnx_runtime_and_equals_torchsharp(bool pixelInput, string config, FeatureSet features, long width)
    {
        var backbone = _files.Backbone(config);
        using var graph = backbone.Import();
        Assert.Equal(features, graph.UseFeatures(features)); // both tiny backbones have a stage to average
        // The modern backbone's width is its own; what matters there is that ONNX Runtime agrees with TorchSharp.
        width = width == 0 ? graph.HeadWidth : width;
        Assert.Equal(features == FeatureSet.WithStage ? graph.FeatureWidth + graph.StageWidth : graph.FeatureWidth, width);
        var path = _files.Path("featurizer.onnx");
        Assert.Equal(width, BackboneGraphs.WriteFeaturizer(backbone, graph, pixelInput, path));
        var size = backbone.Config.Height;
        using var scope = NewDisposeScope();
        var pixels = TransferFiles.Images(3, size, 1, scale: 255).round().to_type(ScalarType.Byte);
        var input = pixelInput ? pixels : pixels.to_type(ScalarType.Float32).div(255f);
        var (shape, got) = TransferFiles.Ort(path, "input", BackboneGraphs.Features, input);
        Assert.Equal([3L, width], shape);
        using var pre = new BackbonePreprocessing(backbone, pixelInput);
        using var noGrad = no_grad();
        var want = graph.HeadInput(pre.forward(input));
        Assert.True(TransferFiles.Relative(got, want.data<float>().ToArray()) < 1e-4);
    }

    [Theory]
    [InlineData(false, BackboneTuning.Frozen, FeatureSet.Output)]
    [InlineData(true, BackboneTuning.Last, FeatureSet.Output)]
    [InlineData(false, BackboneTuning.Frozen, FeatureSet.WithStage)]
    [InlineData(true, BackboneTuning.Last, FeatureSet.WithStage)]
    [InlineData(false, BackboneTuning.All, FeatureSet.WithStage)]
    [InlineData(true, BackboneTuning.All, FeatureSet.Output)]
    public void The_composed_model_is_verified_and_written_with_the_trained_weights_and_its_card(bool pixelInput, BackboneTuning tuning, FeatureSet features)
    {
        var backbone = _files.Backbone("tiny.json");
        using var graph = backbone.Import();
        graph.UseFeatures(features);
        graph.SetTuning(tuning);
        var spec = ArchitectureSpec.Parse("linear(3)");
        manual_seed(5);
        using var head = ModelBuilder.Build(spec, [graph.HeadWidth]);
        if (tuning != BackboneTuning.Frozen)
        {
            FineTuneOneStep(graph, head);
        }
        using var real = TransferFiles.Images(2, 32, 2, scale: 255);
        var path = _files.Path("model.onnx");
        var result = TransferModelExporter.Export(
            new TransferExportRequest(backbone, graph, head, spec, Card(3), real) { PixelInput = pixelInput }, path);

        Assert.True(result.MaxAbsDiff <= result.Tolerance, result.Summary);
        Assert.Equal(5, result.VerifiedSamples);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(17, model.OpsetImport.Single().Version);
        Assert.Equal(["logits", "probabilities"], model.Graph.Output.Select(o => o.Name));
        Assert.Equal(pixelInput ? (int)TensorProto.Types.DataType.Uint8 : (int)TensorProto.Types.DataType.Float, model.Graph.Input.Single().Type.TensorType.ElemType);
        var card = ModelCard.FromMetadata(model.MetadataProps.ToDictionary(p => p.Key, p => p.Value))!;
        Assert.Equal(result.Card.Backbone, card.Backbone);
        Assert.Equal(result.MaxAbsDiff, card.ExportParity);
        Assert.Equal([-1L, 3, 32, 32], card.InputShape);
        Assert.True(card.NormalizationInGraph);
        Assert.Equal(PixelConvention.AsStored, card.PixelConvention);
        Assert.Equal(PreprocessingMode.Resize, card.PreprocessingMode);
        Assert.Equal(pixelInput ? ElementType.UInt8 : ElementType.Float32, card.ElementType);
        var b = card.Backbone!;
        Assert.Equal("tiny-cntk > linear(3)", card.Architecture);
        Assert.Equal(("tiny-cntk", backbone.Sha256, "written by Toolchain.TestSupport", "MIT", "linear(3)"), (b.Name, b.Sha256, b.Source, b.Licence, b.Head));
        Assert.Equal(tuning switch
        {
            BackboneTuning.Frozen => "frozen",
            BackboneTuning.All => "all",
            _ => $"last stage, from {TinyBackbones.CntkLastStage}",
        }, b.Tuning);
        Assert.Equal(features == FeatureSet.WithStage ? $"{TinyBackbones.CntkFeatures} (16) + mean of {TinyBackbones.CntkLastStage} (8)" : "", b.Features);
        // The stage's average is computed in the graph, read from the backbone's own tensor.
        var pool = model.Graph.Node.SingleOrDefault(n => n.OpType == "GlobalAveragePool" && n.Name == "stage_pool");
        Assert.Equal(features == FeatureSet.WithStage, pool is not null);
        Assert.Equal(features == FeatureSet.WithStage ? ["backbone/" + TinyBackbones.CntkLastStage] : null, pool?.Input.ToArray());
        Assert.Equal("shorter side resized to 32, centre crop 32×32, outside the graph", b.Resize);
        Assert.Equal(GraphDigest.Of(model.Graph.ToByteArray()), card.GraphSha256);
        Assert.NotNull(card.Reference);

        // The file holds the trained weights: ONNX Runtime on it equals the network as trained, on new images.
        using var scope = NewDisposeScope();
        var pixels = TransferFiles.Images(2, 32, 8, scale: 255).round();
        var input = pixelInput ? pixels.to_type(ScalarType.Byte) : pixels.div(255f);
        var (_, logits) = TransferFiles.Ort(path, "input", "logits", input);
        using var pre = new BackbonePreprocessing(backbone, pixelInput);
        using var network = new TransferNetwork(pre, graph, head);
        network.eval();
        using var noGrad = no_grad();
        var want = network.forward(input.to_type(ScalarType.Float32));
        Assert.True(TransferFiles.Relative(logits, want.data<float>().ToArray()) < TransferModelExporter.Tolerance);
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(_files.Path("tiny.onnx")));
        var written = model.Graph.Initializer.Single(t => t.Name == "backbone/" + graph.InitializerOf("Convolution44.weight"));
        var source = original.Graph.Initializer.Single(t => t.Name == graph.InitializerOf("Convolution44.weight"));
        Assert.Equal(tuning == BackboneTuning.Frozen, written.RawData.Equals(source.RawData));
    }

    [Fact]
    public void The_inference_library_classifies_a_photo_with_the_composed_model_as_torchsharp_does()
    {
        var backbone = _files.Backbone("tiny-mean-image.json");
        using var graph = backbone.Import();
        var spec = ArchitectureSpec.Parse("linear(4)");
        manual_seed(9);
        using var head = ModelBuilder.Build(spec, [graph.FeatureWidth]);
        using var real = TransferFiles.Images(1, 32, 2, scale: 255);
        var path = _files.Path("model.onnx");
        TransferModelExporter.Export(new TransferExportRequest(backbone, graph, head, spec, Card(4), real), path);

        // A 32×32 PNG: the library's resize (shorter side to 32, centre crop) leaves it as it is.
        using var scope = NewDisposeScope();
        var pixels = TransferFiles.Images(1, 32, 21, scale: 255).round().to_type(ScalarType.Byte);
        var chw = pixels.data<byte>().ToArray();
        using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(32, 32);
        for (int y = 0; y < 32; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                image[x, y] = new SixLabors.ImageSharp.PixelFormats.Rgb24(chw[(y * 32) + x], chw[1024 + (y * 32) + x], chw[2048 + (y * 32) + x]);
            }
        }
        using var png = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);
        using var classifier = Toolchain.Inference.Imaging.ImageClassifier.Load(path);
        var prediction = classifier.Classify(png.ToArray(), "photo.png");

        using var pre = new BackbonePreprocessing(backbone, pixelInput: false);
        using var network = new TransferNetwork(pre, graph, head);
        network.eval();
        using var noGrad = no_grad();
        var probabilities = nn.functional.softmax(network.forward(pixels.to_type(ScalarType.Float32).div(255f)), 1)[0].data<float>().ToArray();
        var best = Array.IndexOf(probabilities, probabilities.Max());
        Assert.Equal(best, prediction.Label);
        Assert.Equal($"class {best}", prediction.LabelName);
        Assert.Equal(probabilities[best], prediction.Confidence, 1e-4);
    }

    [Fact]
    public void A_card_that_does_not_fit_the_head_is_refused_and_nothing_is_written()
    {
        var backbone = _files.Backbone("tiny.json");
        using var graph = backbone.Import();
        var spec = ArchitectureSpec.Parse("linear(3)");
        using var head = ModelBuilder.Build(spec, [graph.FeatureWidth]);
        using var real = TransferFiles.Images(1, 32, 2, scale: 255);
        var request = new TransferExportRequest(backbone, graph, head, spec, Card(3), real);
        var e = Assert.Throws<ToolchainException>(() => TransferModelExporter.Export(request with { Card = Card(4) }, _files.Path("wrong.onnx")));
        Assert.Equal("export: the model card has 4 labels but the head has 3 outputs", e.Message);
        Assert.False(File.Exists(_files.Path("wrong.onnx")));
    }

    private static void FineTuneOneStep(ImportedGraph graph, nn.Module<Tensor, Tensor> head)
    {
        // As the trainer does before fine-tuning: this CPU's oneDNN can leave convolution input gradients unwritten.
        ConvolutionGradients.Verify(graph.ConvolutionsNeedingInputGradients());
        graph.train();
        head.train();
        var optimizer = optim.SGD(graph.TrainableParameters().Concat(head.parameters()), 0.01);
        using var scope = NewDisposeScope();
        var x = TransferFiles.Images(4, 32, 3, scale: 3);
        var logits = head.forward(graph.HeadInput(x));
        var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1, 2, 0 }));
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        graph.eval();
        head.eval();
    }
}
