using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Batching;

/// <summary>The tiny labelled digit model the batcher tests run, loaded on the CPU with one thread, and its source.</summary>
internal sealed class TinyBatchingModel : IDisposable
{
    private readonly TempFolder _dir = new();

    public TinyBatchingModel()
    {
        Model = OnnxModel.Load(LabelledTinyModels.Write(_dir.File("tiny.onnx"), "digit "),
            new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        Source = new FixedLeaseSource(Model, ownsModel: true);
    }

    public OnnxModel Model { get; }

    public FixedLeaseSource Source { get; }

    public void Dispose()
    {
        Source.Dispose();
        _dir.Dispose();
    }
}
