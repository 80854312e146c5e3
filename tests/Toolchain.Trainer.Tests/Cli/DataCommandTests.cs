using Toolchain.Contracts;
using Toolchain.Trainer.Cli;

namespace Toolchain.Trainer.Tests.Cli;

[Collection("Console")]
public sealed class DataCommandTests : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "toolchain-datacmd-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private int Run(params string[] args) => DataCommand.Run(args, _out, _err, richOutput: false);

    private string[] OutLines => _out.ToString().Split('\n', StringSplitOptions.TrimEntries);

    [Fact]
    public void Info_on_the_bundled_sample_prints_split_sizes_pixel_statistics_and_class_counts()
    {
        Assert.Equal(0, Run("info", "mnist-sample"));

        Assert.Contains("dataset  mnist-sample", OutLines);
        Assert.Contains("images   28x28, 10 classes", OutLines);
        Assert.Contains("train  7196    0.1316      0.3092", OutLines);
        Assert.Contains("test   1804    0.1311      0.3091", OutLines);
        Assert.Contains("1      1      821    206", OutLines);
        Assert.Contains("total  7196   1804", OutLines);
        Assert.Equal("", _err.ToString());
    }

    [Fact]
    public void Info_on_a_folder_with_a_malformed_file_fails_with_one_line_naming_it_and_exit_code_1()
    {
        Directory.CreateDirectory(_temp);
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            File.WriteAllText(Path.Combine(_temp, name + ".gz"), "not gzip at all");
        }
        var stderr = new StringWriter();
        var saved = Console.Error;
        Console.SetError(stderr);
        int code;
        try
        {
            code = TrainerCli.Run(["data", "info", _temp]);
        }
        finally
        {
            Console.SetError(saved);
        }

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"trainer: {Path.Combine(_temp, "train-images-idx3-ubyte.gz")}: ", line);
        Assert.Contains("gzip", line);
        Assert.Contains("1f 8b", line);
    }

    [Fact]
    public void Fetch_of_the_bundled_sample_says_there_is_nothing_to_fetch()
    {
        var e = Assert.Throws<ToolchainException>(() => Run("fetch", "mnist-sample"));

        Assert.Contains("data/mnist-sample", e.Message);
        Assert.Contains("nothing to fetch", e.Message);
    }

    [Fact]
    public void Fetch_of_an_unknown_dataset_lists_the_downloadable_ones()
    {
        var e = Assert.Throws<ToolchainException>(() => Run("fetch", "cifar"));

        Assert.All(["'cifar'", "fashion-mnist", "mnist"], fact => Assert.Contains(fact, e.Message));
    }

    [Fact]
    public void Fetch_without_a_dataset_prints_usage_to_stderr_and_exits_1()
    {
        Assert.Equal(1, Run("fetch"));

        Assert.StartsWith("usage: trainer data fetch <mnist|fashion-mnist> [--dir DIR]", _err.ToString());
        Assert.Equal("", _out.ToString());
    }

    [Fact]
    public void An_unknown_subcommand_exits_1_naming_it()
    {
        Assert.Equal(1, Run("frobnicate"));

        Assert.Contains("Verb 'frobnicate' is not recognized.", _err.ToString());
    }

    [Fact]
    public void Help_goes_to_stdout_and_exits_0()
    {
        Assert.Equal(0, Run("--help"));

        Assert.Contains("fetch", _out.ToString());
        Assert.Contains("info", _out.ToString());
        Assert.Equal("", _err.ToString());
    }
}
