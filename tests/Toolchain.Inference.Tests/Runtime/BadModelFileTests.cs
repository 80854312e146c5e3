using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Runtime;

public sealed class BadModelFileTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static InvalidInputFileException LoadFails(string path)
    {
        var e = Assert.Throws<InvalidInputFileException>(() => OnnxModel.Load(path, new OnnxModelOptions { Provider = ExecutionProvider.Cpu }));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    /// <summary>The problem holds each of <paramref name="facts"/> (the key word, the numbers); the wording is free.</summary>
    private static void Names(string problem, params string[] facts) => Assert.All(facts, fact => Assert.Contains(fact, problem));

    [Fact]
    public void A_missing_file_is_reported_as_no_such_file() =>
        Names(LoadFails(_dir.File("absent.onnx")).Problem, "no such file");

    [Fact]
    public void A_directory_is_reported_as_a_directory() =>
        Names(LoadFails(_dir.Path).Problem, "directory");

    [Fact]
    public void An_empty_file_is_reported_as_empty()
    {
        var path = _dir.File("empty.onnx");
        File.WriteAllBytes(path, []);

        Names(LoadFails(path).Problem, "empty", "0 bytes");
    }

    [Fact]
    public async Task A_named_pipe_is_refused_at_once_rather_than_waiting_for_a_writer()
    {
        var path = _dir.File("model.onnx");
        Assert.Equal(0, MakeFifo(path, 0b110_100_100));
        var load = Task.Run(() => LoadFails(path));
        try
        {
            // A TimeoutException here means it is blocked opening the pipe.
            Names((await load.WaitAsync(TimeSpan.FromSeconds(20))).Problem, "named pipe");
        }
        finally
        {
            if (!load.IsCompleted)
            {
                // Release the blocked reader so the test host can exit.
                using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, uint mode);

    [Fact]
    public void A_text_file_is_reported_as_not_an_ONNX_model()
    {
        var path = _dir.File("notes.onnx");
        File.WriteAllText(path, "this is not a model\nat all\n");

        Assert.StartsWith("is not an ONNX model", LoadFails(path).Problem);
    }

    [Fact]
    public void A_truncated_model_is_reported_as_truncated()
    {
        var path = TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx"));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        Names(LoadFails(path).Problem, "truncated", "protobuf");
    }

    [Fact]
    public void A_model_with_a_corrupted_graph_gives_ONNX_Runtimes_first_line_only()
    {
        var path = TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx"));
        var bytes = File.ReadAllBytes(path);
        // Rename the Gemm op to an operator that does not exist; the protobuf stays well formed.
        var text = System.Text.Encoding.Latin1.GetString(bytes).Replace("Gemm", "Gxmm");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text));

        var problem = LoadFails(path).Problem;

        Assert.StartsWith("ONNX Runtime cannot load it: ", problem);
        Assert.Contains("Gxmm", problem);
    }

    [Fact]
    public void A_card_that_contradicts_the_graph_is_refused_naming_both_sides()
    {
        var card = TinyOnnxModels.ImageCard() with { ElementType = ElementType.Float64 };
        var path = TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx"), card: card);

        Names(LoadFails(path).Problem, "float64", "'input'", "float32");
    }
}
