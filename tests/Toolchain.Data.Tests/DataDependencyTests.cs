using Toolchain.Data.Images;

namespace Toolchain.Data.Tests;

/// <summary>
/// Image folders are decoded by the classes the inference library uses (Toolchain.Imaging), so training sees what
/// inference sees, without the datasets taking on ONNX Runtime or the hosting code.
/// </summary>
public sealed class DataDependencyTests
{
    [Fact]
    public void The_data_assembly_decodes_with_the_imaging_assembly_not_the_inference_library()
    {
        var references = typeof(ImageFolderDataset).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();

        Assert.Contains("Toolchain.Imaging", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Toolchain.Inference", StringComparison.Ordinal)
            || r.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
    }
}
