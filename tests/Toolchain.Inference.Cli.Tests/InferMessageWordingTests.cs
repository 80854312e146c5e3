using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests;

/// <summary>
/// The exact wording of a few representative infer messages, pinned on purpose and in one place: usage errors worded as
/// the trainer's are, a missing input, a bad option value, a special file, bad feature rows and a model that fails its
/// integrity check. Every other test asserts exit codes and the facts a message carries
/// (<see cref="CliResult.AssertOneErrorLineNaming"/>), so rewording a message changes only this class.
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

    // Pinned: the usage errors come from the CommandLineParser set-up shared with the trainer, and must keep pointing
    // at the command's own --help; a change in the parser's defaults would silently reword them.
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

    // Pinned: "infer: PATH: problem" is the form every per-file error takes, the one users see most.
    [Fact]
    public void A_missing_input_file()
    {
        var missing = _files.PathOf("absent.csv");

        Assert.Equal($"infer: {missing}: no such file", ErrorOf(CliRun.Infer("predict", "--provider", "cpu", "--model", _files.BinaryModel(), missing)));
    }

    // Pinned: a bad option value lists the accepted values in EnumText's one vocabulary.
    [Fact]
    public void A_bad_option_value() =>
        Assert.Equal("infer: --mode must be none, digit or resize, not 'stretch'",
            ErrorOf(CliRun.Infer("classify", "--provider", "cpu", "--model", _files.ImageModel(), "--mode", "stretch", _files.Png("a.png", 1))));

    // Pinned: a special file is refused by its kind, before anything blocks reading it.
    [Fact]
    public void A_special_file() =>
        Assert.Equal("infer: /dev/zero: is a character device, not a regular file",
            ErrorOf(CliRun.Infer("predict", "--provider", "cpu", "--model", _files.BinaryModel(), "/dev/zero")));

    // Pinned: bad rows use the compiler-style FILE:LINE: location that editors and scripts parse, one line per row.
    [Fact]
    public void Bad_feature_rows()
    {
        var csv = _files.Text("points.csv", "1,1\n1,x\n\n1,2,3\n0,0\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", _files.BinaryModel(), csv);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"infer: {csv}:2: field 2 is not a finite number: 'x'", $"infer: {csv}:4: expected 2 features, found 3"], r.ErrorLines);
    }

    // Pinned: the refusal of a damaged model is the only place that tells the user about --no-verify.
    [Fact]
    public void A_model_that_fails_its_integrity_check()
    {
        var model = _files.ImageModel(withIntegrity: true);
        ModelCorruption.FlipInitializerBit(model, "w", 30);

        Assert.Equal(
            $"infer: {model}: fails its integrity check (the graph or weights differ from the digest recorded at export); " +
            "re-export it, or pass --no-verify to load it anyway",
            ErrorOf(CliRun.Infer("classify", "--provider", "cpu", "--model", model, _files.Png("a.png", 1))));
    }
}
