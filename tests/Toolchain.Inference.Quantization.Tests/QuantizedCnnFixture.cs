using Toolchain.TestSupport;

namespace Toolchain.Inference.Quantization.Tests;

/// <summary>The trained tiny CNN and its static INT8 model (min-max calibration), quantized once per test class.</summary>
public sealed class QuantizedCnnFixture : IDisposable
{
    private readonly TempFolder _dir = new();

    public QuantizedCnnFixture()
    {
        FloatPath = _dir.File("model.onnx");
        Int8Path = _dir.File("model.int8.onnx");
        Result = QuantizedTinyModels.WriteInt8Cnn(FloatPath, Int8Path);
    }

    public string FloatPath { get; }

    public string Int8Path { get; }

    public QuantizationResult Result { get; }

    /// <summary>A fresh scratch folder's path for a test's own files.</summary>
    public string Scratch(string name)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return Path.Combine(path, name);
    }

    public void Dispose() => _dir.Dispose();
}
