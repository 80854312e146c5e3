using Google.Protobuf;
using Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Data.Images;
using Toolchain.Trainer.Tests.Training;
using Toolchain.Trainer.Transfer;

namespace Toolchain.Trainer.Tests.Transfer;

public class BackboneFeaturizerTests
{
    /// <summary>A two-node "featurizer": uint8 pixels to the mean of each channel, [N,3,H,W] to [N,3,1,1], with a dynamic batch.</summary>
    internal static string WriteMeanColourGraph(string dir, int side)
    {
        var graph = new GraphProto { Name = "mean-colour" };
        graph.Input.Add(Value("pixels", [-1, 3, side, side], TensorProto.Types.DataType.Uint8));
        graph.Output.Add(Value("features", [-1, 3, 1, 1]));
        graph.Node.Add(new NodeProto
        {
            OpType = "Cast",
            Name = "cast",
            Input = { "pixels" },
            Output = { "floats" },
            Attribute = { new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float } },
        });
        graph.Node.Add(new NodeProto { OpType = "GlobalAveragePool", Name = "pool", Input = { "floats" }, Output = { "features" } });
        var model = new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 13 } } };
        var path = Path.Combine(dir, "mean-colour.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ValueInfoProto Value(string name, long[] dims, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    /// <summary>Red, green and blue squares, <paramref name="perClass"/> of each, in DIR/&lt;class&gt;.</summary>
    internal static string WriteColourFolder(string dir, int perClass, int side = 40)
    {
        var data = Path.Combine(dir, "colours");
        foreach (var (name, colour) in new[] { ("blue", new Rgb24(10, 20, 200)), ("green", new Rgb24(10, 200, 20)), ("red", new Rgb24(200, 20, 10)) })
        {
            Directory.CreateDirectory(Path.Combine(data, name));
            for (int i = 0; i < perClass; i++)
            {
                using var image = new Image<Rgb24>(side, side, colour);
                image.SaveAsPng(Path.Combine(data, name, $"{i}.png"));
            }
        }
        return data;
    }

    [Fact]
    public void Every_image_goes_through_the_graph_once_and_splits_as_the_image_folder_does()
    {
        using var dir = new TempDir();
        var data = WriteColourFolder(dir.Path, 10);
        File.WriteAllText(Path.Combine(data, "red", "broken.png"), "not a png");
        var graph = new FeaturizerGraph(WriteMeanColourGraph(dir.Path, 16), "pixels", 16, 16, ["features"]);
        var folderOptions = new ImageFolderOptions { Channels = 3, ImageSize = "16x16" };
        var listing = ImageFolderDataset.Scan(data, folderOptions);
        var progress = new List<int>();

        var features = BackboneFeaturizer.Run(graph, listing, folderOptions, new FeaturizeOptions { BatchSize = 4, Progress = (done, _) => progress.Add(done) },
            CancellationToken.None);

        // 31 files; the broken one is skipped, and the rest split as 'train cnn' splits the same folder (80/20, seed 0).
        Assert.Equal(30, progress.Max());
        Assert.Single(features.Skipped);
        var decoded = ImageFolderDataset.Load(data, folderOptions);
        Assert.Equal(decoded.Dataset.Train.Labels.Select(l => (int)l), features.Train["features"].Labels);
        Assert.Equal(decoded.Dataset.Test.Labels.Select(l => (int)l), features.Test["features"].Labels);
        var train = features.Train["features"];
        Assert.Equal([3L, 1, 1], train.Shape);
        for (int i = 0; i < train.Count; i++)
        {
            // Each row is the picture's mean colour in 0-255: the colour it was painted with.
            var row = train.Values.AsSpan(i * 3, 3).ToArray().Select(v => (float)v).ToArray();
            var expected = train.Labels[i] switch { 0 => new[] { 10f, 20, 200 }, 1 => [10, 200, 20], _ => [200, 20, 10] };
            Assert.Equal(expected, row);
        }
    }

    [Fact]
    public void Augmented_views_follow_the_pictures_and_are_the_same_on_every_run()
    {
        using var dir = new TempDir();
        var data = WriteColourFolder(dir.Path, 4);
        var graph = new FeaturizerGraph(WriteMeanColourGraph(dir.Path, 16), "pixels", 16, 16, ["features"]);
        var folderOptions = new ImageFolderOptions { Channels = 3, ImageSize = "16x16" };
        var listing = ImageFolderDataset.Scan(data, folderOptions);
        var options = new FeaturizeOptions { ExtraViews = 2, Augment = ViewAugmentation.For("standard", 7) };

        var first = BackboneFeaturizer.Run(graph, listing, folderOptions, options, CancellationToken.None);
        var second = BackboneFeaturizer.Run(graph, listing, folderOptions, options, CancellationToken.None);

        var train = first.Train["features"];
        Assert.Equal(3, train.Views);
        Assert.Equal(3 * train.Count * 3, train.Values.Length);
        Assert.Equal(train.Values, second.Train["features"].Values);
        Assert.Equal(1, first.Test["features"].Views);
        // A flat colour stays its colour under crops and mirrors; jitter moves it by at most 20% and keeps its channel order.
        for (int i = 0; i < train.Count * 3; i++)
        {
            var row = train.Values.AsSpan(i * 3, 3).ToArray().Select(v => (float)v).ToArray();
            Assert.Equal(train.Labels[i % train.Count] switch { 0 => 2, 1 => 1, _ => 0 }, Array.IndexOf(row, row.Max()));
        }
    }

    [Fact]
    public void A_folder_of_tiny_pictures_is_refused_in_one_line_and_a_few_are_skipped()
    {
        using var dir = new TempDir();
        var data = WriteColourFolder(dir.Path, 6, side: 3);
        var graph = new FeaturizerGraph(WriteMeanColourGraph(dir.Path, 32), "pixels", 32, 32, ["features"]);
        var folderOptions = new ImageFolderOptions { Channels = 3, ImageSize = "32x32" };

        var e = Assert.Throws<ToolchainException>(() => BackboneFeaturizer.Run(graph, ImageFolderDataset.Scan(data, folderOptions), folderOptions,
            new FeaturizeOptions { MinSide = 4 }, CancellationToken.None));

        Assert.Contains("18 of its 18 images are too small", e.Message, StringComparison.Ordinal);
        Assert.Contains("3×3", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        var mixed = WriteColourFolder(Path.Combine(dir.Path, "mixed"), 6);
        using (var tiny = new Image<Rgb24>(2, 2, new Rgb24(200, 20, 10)))
        {
            tiny.SaveAsPng(Path.Combine(mixed, "red", "tiny.png"));
        }
        var features = BackboneFeaturizer.Run(graph, ImageFolderDataset.Scan(mixed, folderOptions), folderOptions, new FeaturizeOptions { MinSide = 4 },
            CancellationToken.None);
        Assert.Contains(features.Skipped, s => s.Contains("tiny.png: 2×2 is too small", StringComparison.Ordinal));
    }

    private static Half[] H(params float[] values) => values.Select(v => (Half)v).ToArray();

    [Fact]
    public void The_cache_round_trips_and_a_damaged_entry_reads_as_missing()
    {
        using var dir = new TempDir();
        var features = new ImageFeatures(["a", "b"],
            new Dictionary<string, FeatureSplit> { ["f"] = new([0, 1, 1], H(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), [2], 2) },
            new Dictionary<string, FeatureSplit> { ["f"] = new([1], H(7, 8), [2], 1) },
            ["x.png: broken"], 0.2, 3, [4, 5, 6], [9]);
        var key = FeatureCache.KeyOf(["one", "two"]);
        var path = FeatureCache.PathOf(dir.Path, key, "f");

        Assert.Null(FeatureCache.TryWrite(dir.Path, key, features));
        var back = FeatureCache.TryRead(dir.Path, key, ["f"]);

        Assert.NotNull(back);
        Assert.Equal(features.Train["f"].Values, back.Train["f"].Values);
        Assert.Equal(features.Train["f"].Labels, back.Train["f"].Labels);
        Assert.Equal(2, back.Train["f"].Views);
        Assert.Equal(features.Test["f"].Values, back.Test["f"].Values);
        Assert.Equal(["x.png: broken"], back.Skipped);
        Assert.Equal(0.2, back.TestFraction);
        Assert.Equal([4, 5, 6], back.TrainFiles);
        Assert.Equal([9], back.TestFiles);
        Assert.Null(FeatureCache.TryRead(dir.Path, key, ["f", "stage"]));
        Assert.Equal(1, back.WithViews(1).Train["f"].Views);
        Assert.Equal(features.Train["f"].Values[..6], back.WithViews(1).Train["f"].Values);
        Assert.NotEqual(FeatureCache.KeyOf(["one", "two"]), FeatureCache.KeyOf(["one", "three"]));

        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        Assert.Null(FeatureCache.TryRead(dir.Path, key, ["f"]));
    }
}
