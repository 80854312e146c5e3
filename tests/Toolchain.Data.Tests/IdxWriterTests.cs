using Toolchain.Data;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests;

public sealed class IdxWriterTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_split_written_then_read_back_is_identical(bool gzip)
    {
        var split = IdxFixtures.Split(37, rows: 5, cols: 6);

        IdxWriter.WriteSplit(_temp.Path, "train", split, gzip);
        var ext = gzip ? ".gz" : "";
        var back = IdxReader.ReadSplit(
            _temp.File("train-images-idx3-ubyte" + ext), _temp.File("train-labels-idx1-ubyte" + ext), 10);

        Assert.Equal((37, 5, 6), (back.Count, back.Rows, back.Cols));
        Assert.Equal(split.Pixels, back.Pixels);
        Assert.Equal(split.Labels, back.Labels);
    }

    [Fact]
    public void A_gz_name_gets_gzip_content_and_a_plain_name_gets_raw_content()
    {
        IdxWriter.WriteLabels(_temp.File("a.gz"), [1, 2]);
        IdxWriter.WriteLabels(_temp.File("a"), [1, 2]);

        Assert.True(IdxFormat.IsGzip(File.ReadAllBytes(_temp.File("a.gz"))));
        Assert.Equal(IdxFixtures.Labels(1, 2), File.ReadAllBytes(_temp.File("a")));
    }

    [Fact]
    public void Writing_leaves_no_temporary_file_behind()
    {
        IdxWriter.WriteSplit(_temp.Path, "t10k", IdxFixtures.Split(3));

        Assert.Equal(["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"], _temp.Entries());
    }
}
