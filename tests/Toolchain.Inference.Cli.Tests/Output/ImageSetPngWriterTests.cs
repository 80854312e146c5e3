using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Tests.Output;

public sealed class ImageSetPngWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("png-writer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("test", 7, "7", "test-00007-7.png")]
    [InlineData("train", 59999, "T-shirt/top", "train-59999-T-shirt_top.png")]
    [InlineData("test", 0, "Ankle boot", "test-00000-Ankle_boot.png")]
    public void File_names_carry_split_index_and_a_file_safe_class_name(string split, int index, string className, string expected) =>
        Assert.Equal(expected, ImageSetPngWriter.FileName(split, index, className));

    [Fact]
    public void A_range_running_past_the_end_is_cut_at_the_last_image()
    {
        var set = new ImageSet(new byte[3 * 4], [0, 1, 1], 3, 2, 2);

        var paths = ImageSetPngWriter.Write(set, ["a", "b"], "test", 1, 10, _dir);

        Assert.Equal(["test-00001-b.png", "test-00002-b.png"], paths.Select(Path.GetFileName));
        Assert.Equal(2, Directory.GetFiles(_dir).Length);
    }

    [Fact]
    public void A_start_outside_the_split_is_refused_before_anything_is_written()
    {
        var set = new ImageSet(new byte[3 * 4], [0, 1, 1], 3, 2, 2);

        var e = Assert.Throws<ToolchainException>(() => ImageSetPngWriter.Write(set, ["a", "b"], "test", 3, 1, _dir));

        Assert.All(["test", "0..2", "3"], fact => Assert.Contains(fact, e.Message));
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
