using System.Security.Cryptography;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests;

public sealed class DatasetResolverTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly LoopbackHttpServer _server = new();
    private readonly DatasetDownloader _downloader = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
    private readonly List<string> _notices = [];

    public void Dispose()
    {
        _downloader.Dispose();
        _server.Dispose();
        _temp.Dispose();
    }

    private static readonly ImageSet TinyTrain = IdxFixtures.Split(20, seed: 1);
    private static readonly ImageSet TinyTest = IdxFixtures.Split(10, seed: 2);

    /// <summary>Writes the tiny dataset's four .gz files into <paramref name="folder"/>.</summary>
    private static void WriteTiny(string folder)
    {
        IdxWriter.WriteSplit(folder, "train", TinyTrain);
        IdxWriter.WriteSplit(folder, "t10k", TinyTest);
    }

    /// <summary>A catalog whose "mnist" is the tiny dataset served by the loopback server (or a dead mirror).</summary>
    private DatasetCatalog Catalog(bool mirrorUp, IReadOnlyList<string>? systemFolders = null)
    {
        var source = Path.Combine(_temp.Path, "served");
        WriteTiny(source);
        var files = new List<DatasetFile>();
        foreach (var name in IdxFileNames.All)
        {
            var bytes = File.ReadAllBytes(Path.Combine(source, name + ".gz"));
            _server.Serve(name + ".gz", bytes);
            files.Add(new DatasetFile(name + ".gz", FileChecksum.Md5(Convert.ToHexStringLower(MD5.HashData(bytes)))));
        }
        var mnist = new DatasetEntry(DatasetCatalog.Mnist, "mnist", [mirrorUp ? _server.BaseUri : LoopbackHttpServer.DeadMirror()],
            files, [.. Enumerable.Range(0, 10).Select(i => i.ToString())], 20, 10, 4, 4, systemFolders ?? [],
            OfflineHint: "or train on the bundled 9,000 digits with --dataset mnist-sample", Digits: true);
        return new DatasetCatalog([mnist, DatasetCatalog.Default.Find(DatasetCatalog.MnistSample)!]);
    }

    private string Root => Path.Combine(_temp.Path, "root");

    private DatasetResolverOptions Options(DatasetCatalog catalog, bool allowDownload = true) =>
        new() { Catalog = catalog, Downloader = _downloader, AllowDownload = allowDownload };

    [Fact]
    public void The_bundled_sample_loads_with_its_documented_split_sizes_and_class_counts()
    {
        var data = DatasetResolver.Load("mnist-sample", DataPaths.DefaultRoot());

        Assert.Equal("mnist-sample", data.Name);
        Assert.Equal((7196, 28, 28), (data.Train.Count, data.Train.Rows, data.Train.Cols));
        Assert.Equal(1804, data.Test.Count);
        Assert.Equal([720, 821, 712, 745, 704, 610, 731, 776, 675, 702], data.Train.CountPerClass(10));
        Assert.Equal([181, 206, 179, 187, 176, 153, 183, 194, 169, 176], data.Test.CountPerClass(10));
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], data.ClassNames);
    }

    [Fact]
    public void The_default_data_root_is_data_in_the_current_directory_not_a_checkout_above_it()
    {
        var expected = Environment.GetEnvironmentVariable(DataPaths.RootVariable) is { Length: > 0 } set ? set : "data";

        Assert.Equal(Path.GetFullPath(expected), DataPaths.DefaultRoot());
    }

    [Fact]
    public void The_bundled_sample_is_found_in_the_checkout_above_the_test_binaries()
    {
        var sample = DataPaths.FindBundledSample();

        Assert.NotNull(sample);
        Assert.Equal(Path.Combine("data", "mnist-sample"), Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(sample))!, sample));
        Assert.True(IdxFileNames.AllPresent(sample));
    }

    [Fact]
    public void Auto_falls_back_to_the_sample_with_one_notice_when_mnist_is_absent_and_no_mirror_answers()
    {
        var data = DatasetResolver.Load("auto", Root, _notices.Add, Options(Catalog(mirrorUp: false)));

        Assert.Equal("mnist-sample", data.Name);
        Assert.Equal(7196, data.Train.Count);
        var notice = Assert.Single(_notices);
        // It says what happened, what is used instead and how to get the full set.
        Assert.All(["no mirror", "9,000 digits", "--dataset mnist-sample", "'trainer data fetch mnist'"], fact => Assert.Contains(fact, notice));
        Assert.False(Directory.Exists(Path.Combine(Root, "mnist")));
    }

    [Fact]
    public void Auto_downloads_mnist_when_a_mirror_answers()
    {
        var data = DatasetResolver.Load("auto", Root, _notices.Add, Options(Catalog(mirrorUp: true)));

        Assert.Equal("mnist", data.Name);
        Assert.Equal((20, 10), (data.Train.Count, data.Test.Count));
        Assert.Equal(TinyTrain.Pixels, data.Train.Pixels);
        Assert.Empty(_notices);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(Root, "mnist")).Length);
    }

    [Fact]
    public void Auto_uses_mnist_already_on_disk_without_the_network()
    {
        WriteTiny(Path.Combine(Root, "mnist"));

        var data = DatasetResolver.Load("auto", Root, _notices.Add, Options(Catalog(mirrorUp: false)));

        Assert.Equal("mnist", data.Name);
        Assert.Equal(Path.Combine(Root, "mnist"), data.Directory);
        Assert.Empty(_notices);
    }

    [Fact]
    public void Explicit_mnist_never_falls_back_to_the_sample()
    {
        var e = Assert.Throws<DatasetDownloadException>(() =>
            DatasetResolver.Load("mnist", Root, _notices.Add, Options(Catalog(mirrorUp: false))));

        Assert.Contains("(connection refused)", e.Message);
        Assert.Contains("--dataset mnist-sample", e.Message);
        Assert.Empty(_notices);
    }

    [Fact]
    public void Explicit_mnist_without_downloads_allowed_says_how_to_fetch_it()
    {
        var e = Assert.Throws<ToolchainException>(() =>
            DatasetResolver.Load("mnist", Root, null, Options(Catalog(mirrorUp: true), allowDownload: false)));

        Assert.All([Path.Combine(Root, "mnist"), "'trainer data fetch mnist'"], fact => Assert.Contains(fact, e.Message));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Only_the_missing_files_of_a_partial_copy_are_downloaded()
    {
        var folder = Path.Combine(Root, "mnist");
        WriteTiny(folder);
        File.Delete(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));

        DatasetResolver.Load("mnist", Root, null, Options(Catalog(mirrorUp: true)));

        Assert.Equal(["/mirror/t10k-labels-idx1-ubyte.gz"], _server.Requests);
    }

    [Fact]
    public void A_system_copy_is_accepted_by_its_structure_when_the_data_root_has_none()
    {
        var system = Path.Combine(_temp.Path, "usr-share");
        // Re-compressed differently from what the mirrors serve: raw files, so every archive hash differs.
        IdxWriter.WriteSplit(system, "train", TinyTrain, gzip: false);
        IdxWriter.WriteSplit(system, "t10k", TinyTest, gzip: false);

        var data = DatasetResolver.Load("mnist", Root, null, Options(Catalog(mirrorUp: false, systemFolders: [system])));

        Assert.Equal("mnist", data.Name);
        Assert.Equal(system, data.Directory);
        Assert.Equal(TinyTest.Labels, data.Test.Labels);
    }

    [Fact]
    public void A_catalog_copy_with_the_wrong_number_of_images_is_rejected()
    {
        var folder = Path.Combine(Root, "mnist");
        WriteTiny(folder);
        IdxWriter.WriteSplit(folder, "t10k", IdxFixtures.Split(5));

        var e = Assert.Throws<InvalidInputFileException>(() =>
            DatasetResolver.Load("mnist", Root, null, Options(Catalog(mirrorUp: false))));

        Assert.Equal(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), e.FilePath);
        Assert.All(["5 images", "4x4", "mnist", "10"], fact => Assert.Contains(fact, e.Problem));
    }

    [Fact]
    public void A_damaged_sample_is_rejected_by_its_sha256()
    {
        var copy = Path.Combine(Root, "mnist-sample");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(DataPaths.FindBundledSample()!, "*.gz"))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        var labels = Path.Combine(copy, "t10k-labels-idx1-ubyte.gz");
        File.AppendAllText(labels, "x");

        var e = Assert.Throws<InvalidInputFileException>(() => DatasetResolver.Load("mnist-sample", Root));

        Assert.Equal(labels, e.FilePath);
        // Both digests: the one found and the one expected.
        Assert.Matches("SHA-256 .*[0-9a-f]{64}", e.Problem);
        Assert.Contains("dbabcd17742123091a1ffaf32a9f9691e3abfef1664fc28473bbdb2aea4e5045", e.Problem);
        Assert.Contains("damaged", e.Problem);
    }

    [Fact]
    public void A_folder_is_read_with_digit_class_names_by_default()
    {
        var folder = Path.Combine(_temp.Path, "custom");
        WriteTiny(folder);

        var data = DatasetResolver.Load(folder, Root);

        Assert.Equal(folder, data.Name);
        Assert.Equal(folder, data.Directory);
        Assert.Equal(10, data.ClassNames.Count);
        Assert.Equal("9", data.ClassNames[9]);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(26, 26)]
    public void A_folder_without_classes_txt_numbers_as_many_classes_as_its_largest_label_needs(int classes, int expected)
    {
        var folder = Path.Combine(_temp.Path, $"c{classes}");
        IdxWriter.WriteSplit(folder, "train", IdxFixtures.Split(2 * classes, classes: classes));
        IdxWriter.WriteSplit(folder, "t10k", IdxFixtures.Split(classes - 1, classes: classes));

        var data = DatasetResolver.Load(folder, Root);

        Assert.Equal(expected, data.ClassNames.Count);
        Assert.Equal($"{expected - 1}", data.ClassNames[^1]);
    }

    [Fact]
    public void A_class_missing_from_the_test_split_still_counts_when_the_train_split_has_it()
    {
        var folder = Path.Combine(_temp.Path, "missing-in-test");
        IdxWriter.WriteSplit(folder, "train", IdxFixtures.Split(20, classes: 10));
        IdxWriter.WriteSplit(folder, "t10k", IdxFixtures.Split(5, classes: 5));

        Assert.Equal(10, DatasetResolver.Load(folder, Root).ClassNames.Count);
    }

    [Fact]
    public void A_folder_with_classes_txt_takes_its_class_names_and_range_from_it()
    {
        var folder = Path.Combine(_temp.Path, "custom");
        IdxWriter.WriteSplit(folder, "train", IdxFixtures.Split(6, classes: 3));
        IdxWriter.WriteSplit(folder, "t10k", IdxFixtures.Split(3, classes: 3));
        File.WriteAllText(Path.Combine(folder, "classes.txt"), "cat\ndog\n\nbird\n");

        Assert.Equal(["cat", "dog", "bird"], DatasetResolver.Load(folder, Root).ClassNames);

        File.WriteAllText(Path.Combine(folder, "classes.txt"), "cat\ndog\n");
        var e = Assert.Throws<InvalidInputFileException>(() => DatasetResolver.Load(folder, Root));
        Assert.All(["label 2", "index 2", "0..1"], fact => Assert.Contains(fact, e.Problem));
    }

    [Fact]
    public void A_folder_missing_files_is_rejected_listing_them()
    {
        var folder = Path.Combine(_temp.Path, "custom");
        IdxWriter.WriteSplit(folder, "train", TinyTrain);

        var e = Assert.Throws<ToolchainException>(() => DatasetResolver.Load(folder, Root));

        Assert.StartsWith($"{folder}: ", e.Message);
        Assert.All(["missing", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"], fact => Assert.Contains(fact, e.Message));
        Assert.DoesNotContain("train-images", e.Message);
    }

    [Fact]
    public void An_unknown_name_that_is_no_folder_is_rejected_listing_the_choices()
    {
        var e = Assert.Throws<ToolchainException>(() => DatasetResolver.Load("mnsit", Root));

        Assert.All(["'mnsit'", "auto", "fashion-mnist", "mnist-sample", "folder"], fact => Assert.Contains(fact, e.Message));
    }
}
