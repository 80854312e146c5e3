using System.Security.Cryptography;
using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Transfer.Graph;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// A backbone file read and checked against its config: the bytes' SHA-256 (against the config's pinned digest when
/// it has one), the ONNX model, and the mean image when the config uses one. Importing it
/// (<see cref="Import"/>) runs one image through it, so a backbone that loads is one that runs.
/// </summary>
public sealed class Backbone
{
    private Backbone(BackboneConfig config, string path, string sha256, ModelProto model, float[]? meanImage)
    {
        Config = config;
        FilePath = path;
        Sha256 = sha256;
        Model = model;
        MeanImage = meanImage;
    }

    /// <summary>How to use it.</summary>
    public BackboneConfig Config { get; }

    /// <summary>The ONNX file (absolute).</summary>
    public string FilePath { get; }

    /// <summary>Lower-case hex SHA-256 of the file's bytes, recorded in the card and in feature cache keys.</summary>
    public string Sha256 { get; }

    /// <summary>The mean image [C·H·W] in the backbone's channel order, or null when the config has per-channel means.</summary>
    public IReadOnlyList<float>? MeanImage { get; }

    internal ModelProto Model { get; }

    /// <summary>The built-in ResNet18 (<see cref="BuiltInBackbone"/>).</summary>
    public static Backbone BuiltIn() => Load(null, BuiltInBackbone.Config());

    /// <summary>
    /// The backbone a user names: the built-in one for null or <see cref="BuiltInBackbone.Name"/> without a config,
    /// else the file <paramref name="backbone"/> (or the one its config names) with the config <paramref name="config"/>.
    /// </summary>
    public static Backbone Resolve(string? backbone, string? config)
    {
        if (config is null)
        {
            return backbone is null || backbone == BuiltInBackbone.Name
                ? BuiltIn()
                : throw new ToolchainException(
                    $"--backbone {backbone} needs --backbone-config FILE.json: its input and output names, size, channel order, scale and mean/std");
        }
        return Load(backbone, BackboneConfig.Load(config));
    }

    /// <summary>
    /// Reads <paramref name="path"/> (or the config's own file when null) and checks it; throws
    /// <see cref="ToolchainException"/> with one line for a missing, unreadable, corrupt or mismatching file.
    /// </summary>
    public static Backbone Load(string? path, BackboneConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        path ??= config.File ?? throw BackboneConfig.Error(config.Path, "names no 'file' and no backbone file was given");
        var full = Path.GetFullPath(path);
        var bytes = ReadFile(full, "backbone");
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (config.Sha256 is { } pinned && pinned != sha)
        {
            throw new InvalidInputFileException(full,
                $"SHA-256 {sha} does not match the {pinned} pinned by {(config.Path.Length > 0 ? config.Path : "its config")}; the file is corrupt or not the {config.Name} backbone");
        }
        var model = ParseModel(bytes, full);
        float[]? meanImage = null;
        if (config.MeanImage is { } source)
        {
            meanImage = ReadMeanImage(source, config);
        }
        return new Backbone(config, full, sha, model, meanImage);
    }

    /// <summary>Imports the graph into TorchSharp with the config's input, output, size and last stage.</summary>
    public ImportedGraph Import() =>
        ImportedGraph.Import(Model, Config.Input, Config.Output, Config.Height, Config.Width, FilePath, Config.LastStage);

    private static byte[] ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputFileException(path, $"the {what} file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, $"cannot read the {what} file: {e.Message}", e);
        }
    }

    private static ModelProto ParseModel(byte[] bytes, string path)
    {
        try
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            return model.Graph is { Node.Count: > 0 } ? model : throw new InvalidInputFileException(path, "is not an ONNX model: it has no graph");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidInputFileException(path, "is not an ONNX model (corrupt or truncated)", e);
        }
    }

    private static float[] ReadMeanImage(MeanImageSource source, BackboneConfig config)
    {
        var model = ParseModel(ReadFile(source.File, "mean image"), source.File);
        var init = model.Graph.Initializer.FirstOrDefault(t => t.Name == source.Initializer)
            ?? throw new InvalidInputFileException(source.File, $"has no initializer '{source.Initializer}' for the mean image");
        using var t = NodeContext.ToTensor(init, $"mean image file {source.File}");
        long[] want = [config.Channels, config.Height, config.Width];
        var dims = t.shape.SkipWhile((d, i) => i == 0 && d == 1 && t.dim() == 4).ToArray();
        if (!dims.SequenceEqual(want))
        {
            throw new InvalidInputFileException(source.File,
                $"the mean image '{source.Initializer}' is [{string.Join(',', t.shape)}], not [1,{config.Channels},{config.Height},{config.Width}] as the config's input_size needs");
        }
        return t.data<float>().ToArray();
    }
}
