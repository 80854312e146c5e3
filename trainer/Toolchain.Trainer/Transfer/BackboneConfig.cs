using System.Globalization;
using System.Text.Json;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>The channel order a backbone expects its input in.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue: what image files store and what our graphs take.</summary>
    Rgb,

    /// <summary>Blue, green, red (Caffe and CNTK models): the graph reverses the channels.</summary>
    Bgr,
}

/// <summary>
/// A per-pixel mean image a backbone subtracts instead of per-channel means: an initializer of shape [1,C,H,W] or
/// [C,H,W] in another ONNX file, in the backbone's channel order and at its input size.
/// </summary>
/// <param name="File">The ONNX file holding it (absolute).</param>
/// <param name="Initializer">The initializer's name in that file.</param>
public sealed record MeanImageSource(string File, string Initializer);

/// <summary>
/// How to use an ONNX image backbone (<c>--backbone-config FILE.json</c>; the built-in ResNet18 ships one): the
/// tensors to feed and read, the input size, and the preprocessing that turns the RGB pixels of our graphs into what
/// the backbone was trained on. With <c>p</c> a pixel in [0,1] and <c>c</c> a channel in the backbone's order, the
/// backbone is fed <c>(p · Scale − Mean[c]) / Std[c]</c>, or <c>(p · Scale − MeanImage[c,y,x]) / Std[c]</c>.
/// </summary>
/// <remarks>
/// The JSON (snake_case; every field but the optional ones is required, unknown fields are refused):
/// <code>
/// { "name": "resnet18", "source": "…", "licence": "MIT", "sha256": "64 hex digits" (optional),
///   "file": "ResNet18.onnx" (optional, beside the config),
///   "input": "Input247", "output": "Pooling395_Output_0", "input_size": [224, 224] (height, width),
///   "channel_order": "rgb" | "bgr", "scale": 255 (the pixel range it expects: 255 or 1),
///   "mean": [r, g, b] or "mean_image": { "file": "prep.onnx", "initializer": "MeanImage" },
///   "std": [r, g, b] (optional, default 1s),
///   "last_stage": "tensor or node name" (optional: where --fine-tune last starts; default: the rule of ImportedGraph) }
/// </code>
/// </remarks>
public sealed record BackboneConfig
{
    /// <summary>Short name recorded in the card, e.g. <c>resnet18</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Where the weights came from (package, URL, paper), recorded in the card.</summary>
    public required string Source { get; init; }

    /// <summary>The weights' licence, recorded in the card.</summary>
    public required string Licence { get; init; }

    /// <summary>Lower-case hex SHA-256 the backbone file must have, or null to accept any file (its digest is still recorded).</summary>
    public string? Sha256 { get; init; }

    /// <summary>The backbone file named by the config (absolute), or null when it is given separately.</summary>
    public string? File { get; init; }

    /// <summary>The graph input that takes the image batch.</summary>
    public required string Input { get; init; }

    /// <summary>The tensor read as the features: a graph output or any tensor inside (the nodes after it are dropped).</summary>
    public required string Output { get; init; }

    /// <summary>Input height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Input width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Input channels: 3.</summary>
    public int Channels => 3;

    /// <summary>The channel order the backbone expects.</summary>
    public required ChannelOrder ChannelOrder { get; init; }

    /// <summary>The pixel range the backbone expects: a pixel in [0,1] is multiplied by it (255 for 0–255 nets, 1 for 0–1 nets).</summary>
    public required double Scale { get; init; }

    /// <summary>Per-channel means in the backbone's channel order, in scaled units; empty when <see cref="MeanImage"/> is used.</summary>
    public IReadOnlyList<double> Mean { get; init; } = [];

    /// <summary>A per-pixel mean image instead of <see cref="Mean"/>, or null.</summary>
    public MeanImageSource? MeanImage { get; init; }

    /// <summary>Per-channel standard deviations in the backbone's channel order, in scaled units.</summary>
    public IReadOnlyList<double> Std { get; init; } = [1, 1, 1];

    /// <summary>The tensor (or the node whose output) where the last stage starts, overriding the default rule; or null.</summary>
    public string? LastStage { get; init; }

    /// <summary>The config file this was read from, for messages; empty when built in code.</summary>
    public string Path { get; init; } = "";

    private static readonly string[] Known =
    [
        "name", "source", "licence", "sha256", "file", "input", "output", "input_size", "channel_order", "scale", "mean",
        "mean_image", "std", "last_stage",
    ];

    /// <summary>Reads and checks a config file; throws <see cref="ToolchainException"/> with one line naming the file and the field.</summary>
    public static BackboneConfig Load(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, e is FileNotFoundException or DirectoryNotFoundException
                ? "backbone config does not exist" : $"cannot read the backbone config: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses config text; relative file names are resolved beside <paramref name="path"/>.</summary>
    public static BackboneConfig Parse(string json, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw Error(path, $"is not valid JSON ({e.Message.Split('\n')[0].Trim()})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, "must be a JSON object");
            }
            foreach (var p in root.EnumerateObject())
            {
                if (!Known.Contains(p.Name))
                {
                    throw Error(path, $"has an unknown field '{p.Name}' (known: {string.Join(", ", Known)})");
                }
            }
            var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
            var reader = new FieldReader(root, path);
            var channels = 3;
            var size = reader.Numbers("input_size", required: true)!;
            if (size.Length != 2 || size.Any(v => v != Math.Floor(v) || v < 1 || v > 4096))
            {
                throw Error(path, "field 'input_size' must be [height, width], two whole numbers from 1 to 4096");
            }
            var mean = reader.Numbers("mean", required: false);
            var meanImage = reader.MeanImage(dir);
            if ((mean is null) == (meanImage is null))
            {
                throw Error(path, "needs exactly one of the fields 'mean' (per channel) and 'mean_image'");
            }
            var std = reader.Numbers("std", required: false) ?? [1, 1, 1];
            if (mean is not null && (mean.Length != channels || mean.Any(v => !double.IsFinite(v))))
            {
                throw Error(path, $"field 'mean' must hold {channels} finite numbers, one per channel");
            }
            if (std.Length != channels || std.Any(v => !(v > 0) || !double.IsFinite(v)))
            {
                throw Error(path, $"field 'std' must hold {channels} positive numbers, one per channel");
            }
            var scale = reader.Number("scale");
            if (!(scale > 0) || !double.IsFinite(scale))
            {
                throw Error(path, "field 'scale' must be a positive number (255 for a backbone that expects 0-255 pixels, 1 for 0-1)");
            }
            var sha = reader.Text("sha256", required: false)?.ToLowerInvariant();
            if (sha is not null && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
            {
                throw Error(path, "field 'sha256' must be 64 hex digits");
            }
            var order = reader.Text("channel_order", required: true) switch
            {
                "rgb" => ChannelOrder.Rgb,
                "bgr" => ChannelOrder.Bgr,
                var other => throw Error(path, $"field 'channel_order' must be rgb or bgr, not '{other}'"),
            };
            var file = reader.Text("file", required: false);
            return new BackboneConfig
            {
                Name = reader.Text("name", required: true)!,
                Source = reader.Text("source", required: true)!,
                Licence = reader.Text("licence", required: true)!,
                Sha256 = sha,
                File = file is null ? null : System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, file)),
                Input = reader.Text("input", required: true)!,
                Output = reader.Text("output", required: true)!,
                Height = (int)size[0],
                Width = (int)size[1],
                ChannelOrder = order,
                Scale = scale,
                Mean = mean ?? [],
                MeanImage = meanImage,
                Std = std,
                LastStage = reader.Text("last_stage", required: false),
                Path = path,
            };
        }
    }

    /// <summary>Refuses images whose either side is under the backbone's input (they would be upscaled into blur); one line naming the image.</summary>
    public void CheckImageSize(string image, int width, int height)
    {
        if (width < Width || height < Height)
        {
            throw new ToolchainException(
                $"{image}: {width}×{height} is smaller than the {Name} backbone's {Width}×{Height} input; use images at least that large");
        }
    }

    /// <summary>The error for a problem with the config file at <paramref name="path"/>.</summary>
    internal static ToolchainException Error(string path, string problem) =>
        new($"backbone config {(path.Length > 0 ? path : "(built in code)")} {problem}");

    /// <summary>Reads typed fields of the config object, failing with one line naming the field.</summary>
    private readonly struct FieldReader(JsonElement root, string path)
    {
        public string? Text(string name, bool required)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return required ? throw Error(path, $"is missing the field '{name}'") : null;
            }
            if (v.ValueKind != JsonValueKind.String || v.GetString()!.Trim().Length == 0)
            {
                throw Error(path, $"field '{name}' must be a non-empty string");
            }
            return v.GetString()!.Trim();
        }

        public double Number(string name)
        {
            if (!root.TryGetProperty(name, out var v))
            {
                throw Error(path, $"is missing the field '{name}'");
            }
            return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Error(path, $"field '{name}' must be a number");
        }

        public double[]? Numbers(string name, bool required)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return required ? throw Error(path, $"is missing the field '{name}'") : null;
            }
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
            {
                throw Error(path, $"field '{name}' must be an array of numbers");
            }
            return v.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        }

        public MeanImageSource? MeanImage(string dir)
        {
            if (!root.TryGetProperty("mean_image", out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Object
                || !v.TryGetProperty("file", out var f) || f.ValueKind != JsonValueKind.String || f.GetString()!.Length == 0
                || !v.TryGetProperty("initializer", out var i) || i.ValueKind != JsonValueKind.String || i.GetString()!.Length == 0
                || v.EnumerateObject().Count() != 2)
            {
                throw Error(path, "field 'mean_image' must be { \"file\": \"an ONNX file\", \"initializer\": \"its name\" }");
            }
            return new MeanImageSource(System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, f.GetString()!)), i.GetString()!);
        }
    }

    /// <summary>The field values as the card and messages show them, e.g. <c>bgr, ×255, mean image, std 1,1,1</c>.</summary>
    public string PreprocessingSummary =>
        $"{(ChannelOrder == ChannelOrder.Bgr ? "bgr" : "rgb")}, ×{Scale.ToString(CultureInfo.InvariantCulture)}, " +
        $"{(MeanImage is not null ? "minus a mean image" : $"minus [{string.Join(',', Mean.Select(Num))}]")}, / [{string.Join(',', Std.Select(Num))}]";

    private static string Num(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
