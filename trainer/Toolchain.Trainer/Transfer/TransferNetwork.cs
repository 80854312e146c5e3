using Toolchain.Trainer.Transfer.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// The whole transfer-learned classifier in TorchSharp, as its exported graph computes it: pixels → the backbone's
/// preprocessing → the backbone → what the head reads (<see cref="ImportedGraph.HeadInput"/>) → the head (logits).
/// Export verifies the file against it.
/// </summary>
public sealed class TransferNetwork : nn.Module<Tensor, Tensor>
{
    private readonly BackbonePreprocessing _preprocessing;
    private readonly ImportedGraph _backbone;
    private readonly nn.Module<Tensor, Tensor> _head;

    /// <summary>Joins the three parts (registered as children <c>preprocessing</c>, <c>backbone</c>, <c>head</c>).</summary>
    public TransferNetwork(BackbonePreprocessing preprocessing, ImportedGraph backbone, nn.Module<Tensor, Tensor> head) : base("transfer")
    {
        _preprocessing = preprocessing;
        _backbone = backbone;
        _head = head;
        register_module("preprocessing", preprocessing);
        register_module("backbone", backbone);
        register_module("head", head);
    }

    /// <summary>Pixels [N, 3, H, W] (as the preprocessing takes them) to logits [N, classes].</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        var features = _backbone.HeadInput(_preprocessing.forward(pixels));
        return _head.forward(features).MoveToOuterDisposeScope();
    }
}
