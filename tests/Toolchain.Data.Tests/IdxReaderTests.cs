using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests;

public sealed class IdxReaderTests : IDisposable
{
    /// <summary>The problem names each of <paramref name="facts"/>; its wording is the library's to choose.</summary>
    private static void Names(string problem, params string[] facts) => Assert.All(facts, fact => Assert.Contains(fact, problem));

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static InvalidInputFileException Rejected(string path, Action read)
    {
        var e = Assert.Throws<InvalidInputFileException>(read);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Raw_images_are_read_with_their_shape_and_pixels()
    {
        var pixels = IdxFixtures.Pixels(5 * 2 * 3);
        var path = Write("imgs", IdxFixtures.Raw(IdxFormat.ImagesMagic, [5, 2, 3], pixels));

        var images = IdxReader.ReadImages(path);

        Assert.Equal((5, 2, 3), (images.Count, images.Rows, images.Cols));
        Assert.Equal(pixels, images.Pixels);
    }

    [Fact]
    public void Gzip_is_detected_by_its_magic_bytes_whatever_the_file_is_called()
    {
        var path = Write("labels.bin", IdxFixtures.Gzip(IdxFixtures.Labels(3, 1, 4)));

        Assert.Equal(new byte[] { 3, 1, 4 }, IdxReader.ReadLabels(path, 10));
    }

    [Fact]
    public void A_file_with_the_wrong_magic_is_rejected()
    {
        var path = Write("imgs", IdxFixtures.Raw(0x12345678, [1, 2, 3], new byte[6]));

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "0x12345678", "0x00000803");
    }

    [Fact]
    public void A_labels_file_given_as_images_is_rejected_saying_what_it_holds()
    {
        var path = Write("imgs", IdxFixtures.Labels(1, 2));

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "labels", "0x00000801", "0x00000803");
    }

    [Fact]
    public void A_file_of_another_element_type_is_rejected()
    {
        var path = Write("imgs", IdxFixtures.Raw(0x00000D03, [1, 1, 1], new byte[4]));

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "0x0D", "0x08");
    }

    [Fact]
    public void Truncated_raw_data_is_rejected_with_the_byte_counts()
    {
        var bytes = IdxFixtures.Images(4);
        var path = Write("imgs", bytes[..^5]);

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "truncated", "4 x 2 x 3", "24", "19");
    }

    [Fact]
    public void Truncated_gzip_data_is_rejected()
    {
        var gz = IdxFixtures.Gzip(IdxFixtures.Images(200, 28, 28));
        var path = Write("imgs.gz", gz[..(gz.Length / 2)]);

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "truncated", "200 x 28 x 28", "156800", "gzip");
    }

    [Fact]
    public void Gzip_whose_content_is_shorter_than_its_header_promises_is_rejected()
    {
        var path = Write("imgs.gz", IdxFixtures.Gzip(IdxFixtures.Images(4)[..^5]));

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "truncated", "24", "19", "gzip");
    }

    [Fact]
    public void Corrupt_gzip_data_is_rejected()
    {
        var gz = IdxFixtures.Gzip(IdxFixtures.Images(200, 28, 28));
        // Past the first bytes, so the IDX header still inflates and the damage is met in the pixel data.
        for (var i = gz.Length / 2; i < gz.Length / 2 + 40; i++)
        {
            gz[i] ^= 0x5A;
        }
        var path = Write("imgs.gz", gz);

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "corrupt gzip");
    }

    [Fact]
    public void Gzip_with_a_broken_checksum_is_rejected_as_corrupt()
    {
        var gz = IdxFixtures.Gzip(IdxFixtures.Images(4));
        gz[^6] ^= 1;
        var path = Write("imgs.gz", gz);

        Names(Rejected(path, () => IdxReader.ReadImages(path)).Problem, "corrupt", "gzip");
    }

    [Fact]
    public void A_gz_file_that_is_not_gzip_is_rejected()
    {
        var path = Write("t10k-images-idx3-ubyte.gz", "<html>Not Found</html>"u8.ToArray());

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, ".gz", "1f 8b");
    }

    [Fact]
    public void A_label_count_different_from_the_image_count_is_rejected()
    {
        var images = Write("imgs", IdxFixtures.Images(3));
        var labels = Write("labels", IdxFixtures.Labels(0, 1));

        var e = Rejected(labels, () => IdxReader.ReadSplit(images, labels, 10));

        Names(e.Problem, "2 labels", "imgs", "3 images");
    }

    [Fact]
    public void A_label_outside_the_class_range_is_rejected()
    {
        var path = Write("labels", IdxFixtures.Labels(0, 9, 10, 1));

        var e = Rejected(path, () => IdxReader.ReadLabels(path, 10));

        Names(e.Problem, "label 10", "index 2", "0..9");
    }

    [Fact]
    public void A_zero_dimension_is_rejected()
    {
        var path = Write("imgs", IdxFixtures.Raw(IdxFormat.ImagesMagic, [0, 28, 28], []));

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "zero dimension", "0 x 28 x 28");
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_rejected_in_raw_files()
    {
        var path = Write("imgs", [.. IdxFixtures.Images(4), 1, 2, 3]);

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "3 unexpected bytes", "24", "4 x 2 x 3");
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_rejected_in_gzip_files()
    {
        var path = Write("imgs.gz", IdxFixtures.Gzip([.. IdxFixtures.Images(4), 9, 9]));

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "2 unexpected bytes", "24", "4 x 2 x 3");
    }

    [Fact]
    public void An_absurd_header_in_a_small_gzip_file_is_rejected_before_allocating()
    {
        var path = Write("imgs.gz", IdxFixtures.Gzip(IdxFixtures.Raw(IdxFormat.ImagesMagic, [2_000_000_000, 28, 28], new byte[16])));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "implausible", "2000000000 x 28 x 28");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
    }

    [Fact]
    public void A_file_cut_inside_its_header_is_rejected()
    {
        var path = Write("imgs", IdxFixtures.Images(4)[..9]);

        var e = Rejected(path, () => IdxReader.ReadImages(path));

        Names(e.Problem, "header");
    }

    [Fact]
    public void An_empty_file_is_rejected()
    {
        var path = Write("imgs", []);

        Assert.Equal("is empty", Rejected(path, () => IdxReader.ReadImages(path)).Problem);
    }

    [Fact]
    public async Task A_named_pipe_is_rejected_at_once_rather_than_waiting_for_a_writer()
    {
        var path = _temp.File("train-images-idx3-ubyte");
        Assert.Equal(0, MakeFifo(path, 0b110_100_100));
        var read = Task.Run(() => Rejected(path, () => IdxReader.ReadImages(path)));
        try
        {
            // A TimeoutException here means it is blocked opening the pipe.
            Names((await read.WaitAsync(TimeSpan.FromSeconds(20))).Problem, "named pipe");
        }
        finally
        {
            if (!read.IsCompleted)
            {
                // Release the blocked reader so the test host can exit.
                using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, uint mode);

    [Fact]
    public void A_missing_file_is_rejected()
    {
        var path = _temp.File("nope.gz");

        Names(Rejected(path, () => IdxReader.ReadImages(path)).Problem, "not found");
    }
}
