using Inference;
using Toolchain.Inference.Cli.Tests.Export.Triton;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Export;

public sealed class ExportTritonCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Writes_model_labels_and_a_config_that_parses_as_tritons_ModelConfig()
    {
        var model = _files.ImageModel(folder: "digits");
        var repo = _files.PathOf("repo");

        var result = CliRun.Infer("export", "triton", "--model", model, "--out", repo, "--instances", "3", "--max-queue-delay-us", "250");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [Path.Combine(repo, "digits", "1", "model.onnx"), Path.Combine(repo, "digits", "config.pbtxt"), Path.Combine(repo, "digits", "labels.txt")],
            result.OutLines);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(Path.Combine(repo, "digits", "1", "model.onnx")));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"digit {i}"), File.ReadAllLines(Path.Combine(repo, "digits", "labels.txt")));
        var config = TritonConfigParser.Parse(File.ReadAllText(Path.Combine(repo, "digits", "config.pbtxt")));
        Assert.Equal("digits", config.Name);
        Assert.Equal("onnxruntime_onnx", config.Platform);
        Assert.Equal(64, config.MaxBatchSize);
        var input = Assert.Single(config.Input);
        Assert.Equal(("input", DataType.TypeFp32), (input.Name, input.DataType));
        Assert.Equal([1L, 28, 28], input.Dims);
        Assert.Equal(["logits", "probabilities"], config.Output.Select(o => o.Name));
        Assert.All(config.Output, o => Assert.Equal(DataType.TypeFp32, o.DataType));
        Assert.All(config.Output, o => Assert.Equal([10L], o.Dims));
        Assert.Equal(["", "labels.txt"], config.Output.Select(o => o.LabelFilename));
        Assert.Equal([64], config.DynamicBatching.PreferredBatchSize);
        Assert.Equal(250UL, config.DynamicBatching.MaxQueueDelayMicroseconds);
        var group = Assert.Single(config.InstanceGroup);
        Assert.Equal((3, ModelInstanceGroup.Types.Kind.Cpu), (group.Count, group.Kind));
    }

    [Fact]
    public void A_float64_binary_model_gets_fp64_tensors_its_feature_dims_and_gpu_instances()
    {
        var model = _files.BinaryModel();
        var repo = _files.PathOf("repo");

        var result = CliRun.Infer("export", "triton", "--model", model, "--out", repo, "--name", "gate", "--max-batch", "8", "--gpu");

        Assert.Equal(0, result.ExitCode);
        var config = TritonConfigParser.Parse(File.ReadAllText(Path.Combine(repo, "gate", "config.pbtxt")));
        Assert.Equal(("gate", 8), (config.Name, config.MaxBatchSize));
        var input = Assert.Single(config.Input);
        Assert.Equal(DataType.TypeFp64, input.DataType);
        Assert.Equal([2L], input.Dims);
        var output = Assert.Single(config.Output);
        Assert.Equal(DataType.TypeFp64, output.DataType);
        Assert.Equal([1L], output.Dims);
        Assert.Equal([8], config.DynamicBatching.PreferredBatchSize);
        Assert.Equal(100UL, config.DynamicBatching.MaxQueueDelayMicroseconds);
        Assert.Equal(ModelInstanceGroup.Types.Kind.Gpu, Assert.Single(config.InstanceGroup).Kind);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(repo, "gate", "labels.txt")).Length);
    }

    [Fact]
    public void An_export_into_a_folder_with_versions_writes_the_next_one_says_so_and_keeps_the_others()
    {
        var repo = _files.PathOf("repo");
        Directory.CreateDirectory(Path.Combine(repo, "digits", "7"));
        File.WriteAllText(Path.Combine(repo, "digits", "7", "model.onnx"), "older version");
        Directory.CreateDirectory(Path.Combine(repo, "digits", "notes"));
        Directory.CreateDirectory(Path.Combine(repo, "other"));
        var model = _files.ImageModel(folder: "digits");

        var first = CliRun.Infer("export", "triton", "--model", model, "--out", repo, "--max-batch", "4");
        var second = CliRun.Infer("export", "triton", "--model", model, "--out", repo, "--max-batch", "16");

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Equal(Path.Combine(repo, "digits", "8", "model.onnx"), first.OutLines[0]);
        Assert.Equal(Path.Combine(repo, "digits", "9", "model.onnx"), second.OutLines[0]);
        Assert.Equal($"infer: {Path.Combine(repo, "digits")}: wrote version 9, after the highest there, 8; Triton and the service serve the highest", Assert.Single(second.ErrorLines));
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(Path.Combine(repo, "digits", "9", "model.onnx")));
        Assert.Equal(16, TritonConfigParser.Parse(File.ReadAllText(Path.Combine(repo, "digits", "config.pbtxt"))).MaxBatchSize);
        Assert.Equal("older version", File.ReadAllText(Path.Combine(repo, "digits", "7", "model.onnx")));
        Assert.Equal(["7", "8", "9", "notes"], Directory.GetDirectories(Path.Combine(repo, "digits")).Select(Path.GetFileName).Order());
        Assert.Equal(["digits", "other"], Directory.GetDirectories(repo).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Version_chooses_the_folder_and_an_existing_one_is_refused_in_one_line_leaving_the_model_folder_as_it_was()
    {
        var repo = _files.PathOf("repo");
        var model = _files.ImageModel(folder: "digits");
        Directory.CreateDirectory(Path.Combine(repo, "digits", "03"));
        File.WriteAllText(Path.Combine(repo, "digits", "config.pbtxt"), "name: \"digits\"\n");

        var taken = CliRun.Infer("export", "triton", "--model", model, "--out", repo, "--version", "3");
        var below = CliRun.Infer("export", "triton", "--model", model, "--out", repo, "--version", "2");
        var zero = CliRun.Infer("export", "triton", "--model", model, "--out", repo, "--version", "0");

        Assert.Equal(1, taken.ExitCode);
        taken.AssertOneErrorLineNaming("--version 3", Path.Combine(repo, "digits", "03"), "exists", "the next free one is 4");
        Assert.Equal(0, below.ExitCode);
        Assert.Equal(Path.Combine(repo, "digits", "2", "model.onnx"), below.OutLines[0]);
        Assert.Contains("below the highest there, 3", Assert.Single(below.ErrorLines));
        Assert.Equal(1, zero.ExitCode);
        zero.AssertOneErrorLineNaming("--version must be 1 or more");
        Assert.Equal(["03", "2"], Directory.GetDirectories(Path.Combine(repo, "digits")).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(repo, "digits", "03")));
    }

    [Theory]
    [InlineData("onnx", "--name", "ok", new[] { "triton", "'onnx'" })]
    [InlineData("triton", "--name", "a b", new[] { "--name", "letters, digits" })]
    [InlineData("triton", "--name", "..", new[] { "--name", "letters, digits" })]
    [InlineData("triton", "--max-batch", "0", new[] { "--max-batch", "65536", "0" })]
    [InlineData("triton", "--instances", "0", new[] { "--instances", "256", "0" })]
    [InlineData("triton", "--max-queue-delay-us", "-1", new[] { "--max-queue-delay-us", "-1" })]
    public void Bad_arguments_are_one_line_exit_1_and_write_nothing(string format, string option, string value, string[] facts)
    {
        var repo = _files.PathOf("repo");

        var result = CliRun.Infer("export", format, "--model", _files.ImageModel(), "--out", repo, option, value);

        Assert.Equal(1, result.ExitCode);
        result.AssertOneErrorLineNaming(facts);
        Assert.False(Directory.Exists(repo));
    }

    [Fact]
    public void A_foreign_model_without_a_card_is_refused_and_leaves_no_folder()
    {
        var foreign = TinyOnnxModels.WriteForeignImageClassifier(_files.PathOf("foreign.onnx"));
        var repo = _files.PathOf("repo");

        var result = CliRun.Infer("export", "triton", "--model", foreign, "--out", repo);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("foreign.onnx", Assert.Single(result.ErrorLines));
        Assert.Empty(Directory.Exists(repo) ? Directory.GetFileSystemEntries(repo) : []);
    }

    [Fact]
    public void The_parser_rejects_what_triton_would()
    {
        var e = Assert.Throws<FormatException>(() => TritonConfigParser.Parse("name: \"m\"\nmax_batch_size: \"many\"\n"));

        Assert.Contains("Expected integer", e.Message);
        Assert.Throws<FormatException>(() => TritonConfigParser.Parse("instance_group [ { kind: KIND_TPU } ]\n"));
    }
}
