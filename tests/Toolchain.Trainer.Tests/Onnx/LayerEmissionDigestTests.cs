using System.Security.Cryptography;
using System.Text;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Tests.Training;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

/// <summary>
/// The graph and card exported for the built-in presets and for specs that use every layer kind, digested. The
/// digests were taken before the layer kinds became one type each; the same seed must keep giving the same bytes, so
/// the weights are drawn with no other torch user running (another test's draws would interleave with these).
/// </summary>
[Collection(TorchRandomState.Name)]
public class LayerEmissionDigestTests
{
    public static TheoryData<string, long[], bool, string, string> Nets => new()
    {
        { ModelPresets.XorArchitecture, [2], true,
            "71a08eaf2d8dbadc41e55c8324c92d3ebcb975f5d2c57b0a1bb9fd94b14f65a9", "5349b4a64e79d9aefccf975ed211e716b972ed1582649f75b1351d26be2386d2" },
        { ModelPresets.MlpArchitecture, [1, 28, 28], false,
            "978c87a939f07f1337131ebdb5f9595c3074fee2e2f1cd5efb012ec25e88a0fc", "2889c5707ec62d64237cc1c26052de738e5354765c8cf49d80a4004915950c55" },
        { ModelPresets.CnnArchitecture, [1, 28, 28], false,
            "d132a9dc467f7ba2776a4dd53b6982b11db08bbd6a969429017446eb1e712f71", "7e7e3ca8fcdf3a195e257cff2679ca8827facb951615be5d261f15cc0a193c38" },
        { "conv(4,3,stride=2,pad=2,dilation=2,groups=2) batchnorm(eps=0.001,momentum=0.2) leakyrelu(0.2) maxpool(3,stride=2,pad=1) avgpool(2,stride=1,pad=1) tanh flatten linear(8) batchnorm sigmoid dropout(0.3) linear(3)",
            [2, 12, 12], false, "4744cc99ebe60d2dbfe5f4a37761611e9901ce947917b72200cfcf87c7b20583", "96bfadd8160e8c2df500eceb3fc87b23e92709617f362282e153188d9885805e" },
        { "flatten linear(6) batchnorm(eps=0.0003) leakyrelu(0.3) dropout linear(5) tanh linear(1) sigmoid", [3], true,
            "88539aed01dcf6d6807e2662145879f347b121fd6d5c110614000540dae7f253", "135ca96e436cfb3725b8ffec158d060437b68b28f84ae08f122bbf4a32f062a1" },
    };

    [Theory]
    [MemberData(nameof(Nets))]
    public void The_same_seed_exports_the_same_graph_and_card(string spec, long[] inputShape, bool float64, string graphDigest, string cardDigest)
    {
        using var f = new ExportFixture(spec, inputShape, float64 ? ScalarType.Float64 : ScalarType.Float32, trainSteps: 0, seed: 7);

        var result = f.Export();

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        // The parity figure depends on which convolution kernels libtorch picked; everything else is fixed by the seed.
        var card = string.Join('\n', model.MetadataProps.Where(p => p.Key != ModelCardKeys.ExportParity).Select(p => $"{p.Key}={p.Value}"));
        var actual = (result.Card.GraphSha256, Sha256(card));
        Console.WriteLine($"digest {spec}: {actual.GraphSha256} {actual.Item2}");
        Assert.Equal((graphDigest, cardDigest), actual);
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
