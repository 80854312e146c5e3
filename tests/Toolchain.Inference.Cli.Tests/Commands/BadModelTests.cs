namespace Toolchain.Inference.Cli.Tests.Commands;

public sealed class BadModelTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    public static TheoryData<string> Kinds => ["missing", "empty", "truncated", "text", "random bytes", "directory"];

    private string BadModel(string kind)
    {
        switch (kind)
        {
            case "missing":
                return _files.PathOf("missing.onnx");
            case "empty":
                return _files.Bytes("empty.onnx", []);
            case "truncated":
                var good = File.ReadAllBytes(_files.ImageModel());
                return _files.Bytes("truncated.onnx", good[..(good.Length / 2)]);
            case "text":
                return _files.Text("text.onnx", "name,value\nnot,onnx\n");
            case "random bytes":
                var bytes = new byte[4096];
                new Random(3).NextBytes(bytes);
                return _files.Bytes("random.onnx", bytes);
            default:
                Directory.CreateDirectory(_files.PathOf("dir.onnx"));
                return _files.PathOf("dir.onnx");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_bad_model_file_gives_one_line_naming_it_and_exit_1_for_every_command(string kind)
    {
        var model = BadModel(kind);
        var png = _files.Png("one.png", 1);
        var csv = _files.Text("one.csv", "1,1\n");

        foreach (var args in new[]
        {
            new[] { "classify", "--model", model, png },
            ["eval", "--model", model],
            ["info", "--model", model],
            ["predict", "--model", model, csv],
            ["bench", "--model", model, "--seconds", "0.01", "--process-runs", "0"],
        })
        {
            var r = CliRun.Infer(args);

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("", r.Out);
            var line = Assert.Single(r.ErrorLines);
            Assert.StartsWith($"infer: {model}", line);
        }
    }
}
