namespace Toolchain.Trainer.Models.Layers;

/// <summary>The layer kinds a spec can name: each kind's names (canonical first, then aliases) and its parser.</summary>
internal static class LayerCatalog
{
    private static readonly (string[] Names, Func<LayerArgs, LayerSpec> Parse)[] Kinds =
    [
        (["linear", "dense", "fc"], LinearLayer.Parse),
        (["conv", "conv2d"], ConvLayer.Parse),
        (["maxpool", "maxpool2d"], MaxPoolLayer.Parse),
        (["avgpool", "avgpool2d"], AvgPoolLayer.Parse),
        (["relu"], a => new ReluLayer(a.Token, a.Position)),
        (["sigmoid"], a => new SigmoidLayer(a.Token, a.Position)),
        (["tanh"], a => new TanhLayer(a.Token, a.Position)),
        (["leakyrelu"], LeakyReluLayer.Parse),
        (["dropout"], DropoutLayer.Parse),
        (["flatten"], a => new FlattenLayer(a.Token, a.Position)),
        (["batchnorm", "bn"], BatchNormLayer.Parse),
    ];

    /// <summary>The canonical names, for the "known:" list of an unknown layer.</summary>
    public static string Known => string.Join(", ", Kinds.Select(k => k.Names[0]));

    /// <summary>The layer <paramref name="args"/> names, parsed; every argument must have been read.</summary>
    public static LayerSpec Parse(LayerArgs args)
    {
        var kind = Kinds.FirstOrDefault(k => k.Names.Contains(args.Name));
        if (kind.Parse is null)
        {
            throw args.Fail($"unknown layer '{args.Name}' (known: {Known})");
        }
        var layer = kind.Parse(args);
        args.EnsureAllUsed();
        return layer;
    }
}
