namespace Toolchain.TestSupport;

/// <summary>
/// A transfer-learned model as <c>trainer train transfer</c> exports it: preprocessing, the CNTK-like backbone of
/// <see cref="TinyBackbones.WriteCntkLike"/> (opset raised, batch made dynamic), a linear head and softmax, with a
/// card that records the backbone. Trained on plain red, green and blue squares, so a picture mostly in one of those
/// colours is that class. The file is committed (Fixtures/tiny-transfer.onnx) because the infer CLI's and the
/// service's tests do not load TorchSharp; the trainer's TransferCommandTests check that it is still what the
/// trainer writes, and writes it again with <c>TOOLCHAIN_WRITE_FIXTURES=1</c>.
/// </summary>
public static class TinyTransferModel
{
    /// <summary>The committed file, in the checkout.</summary>
    public static string CommittedPath => Checkout.PathOf("tests/Toolchain.TestSupport/Fixtures/tiny-transfer.onnx");

    /// <summary>Its classes, in the folder's (sorted) order.</summary>
    public static readonly IReadOnlyList<string> Labels = ["blue", "green", "red"];

    /// <summary>Its input side (square): the tiny backbone's.</summary>
    public const int Side = TinyBackbones.CntkSize;

    /// <summary>The <c>trainer train transfer</c> arguments that wrote it, on a folder of 12 squares of each colour.</summary>
    public static string[] TrainArguments(string dataset, string backbone, string backboneConfig, string outDir, string cacheDir) =>
    [
        "--dataset", dataset, "--backbone", backbone, "--backbone-config", backboneConfig, "--out", outDir, "--cache-dir", cacheDir,
        "--head", "linear(3)", "--batch-size", "8", "--lr", "0.02", "--epochs", "40",
    ];

    /// <summary>Copies the model to <paramref name="path"/> and returns it.</summary>
    public static string Write(string path)
    {
        File.Copy(CommittedPath, path, overwrite: true);
        return path;
    }
}
