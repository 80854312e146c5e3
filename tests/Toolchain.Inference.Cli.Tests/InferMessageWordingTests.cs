namespace Toolchain.Inference.Cli.Tests;

/// <summary>
/// The exact wording of a few representative infer messages, pinned on purpose and in one place: usage errors worded as
/// the trainer's are, a missing input, a bad option value and a special file. Every
/// other test asserts exit codes and the facts a message carries (<see cref="CliResult.AssertOneErrorLineNaming"/>).
/// </summary>
public sealed class InferMessageWordingTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string ErrorOf(CliResult r)
    {
        Assert.NotEqual(0, r.ExitCode);
        return Assert.Single(r.ErrorLines);
    }

    [Fact]
    public void Usage_errors() => Assert.Equal(
        [
            "infer: '--model' is required (see 'infer classify --help')",
            "infer: option '--provider' has a value of the wrong kind (see 'infer eval --help')",
            "infer: unknown option '--frob' (see 'infer info --help')",
        ],
        [
            ErrorOf(CliRun.Infer("classify", "x.png")),
            ErrorOf(CliRun.Infer("eval", "--model", "m.onnx", "--provider", "tpu")),
            ErrorOf(CliRun.Infer("info", "--model", "m.onnx", "--frob")),
        ]);

    [Fact]
    public void A_missing_input_file()
    {
        var missing = _files.PathOf("absent.csv");

        Assert.Equal($"infer: {missing}: no such file", ErrorOf(CliRun.Infer("predict", "--provider", "cpu", "--model", _files.BinaryModel(), missing)));
    }

    [Fact]
    public void A_bad_option_value() =>
        Assert.Equal("infer: --mode must be none, digit or resize, not 'stretch'",
            ErrorOf(CliRun.Infer("classify", "--provider", "cpu", "--model", _files.ImageModel(), "--mode", "stretch", _files.Png("a.png", 1))));

    [Fact]
    public void A_special_file() =>
        Assert.Equal("infer: /dev/zero: is a character device, not a regular file",
            ErrorOf(CliRun.Infer("predict", "--provider", "cpu", "--model", _files.BinaryModel(), "/dev/zero")));
}
