using System.Globalization;
using System.Text.RegularExpressions;

namespace Toolchain.Trainer.Models;

/// <summary>
/// A model described as a list of layers, e.g.
/// <c>conv(32,3,pad=1) relu maxpool(2) flatten linear(128) relu dropout(0.25) linear(10)</c>.
/// It is the one source of truth for a network: the trainer builds the TorchSharp module from it, the exporter
/// emits the ONNX nodes from it, and it travels with the model as its canonical text.
/// </summary>
public sealed partial class ArchitectureSpec
{
    private ArchitectureSpec(string text, IReadOnlyList<LayerSpec> layers)
    {
        Text = text;
        Layers = layers;
    }

    /// <summary>The spec as the user wrote it.</summary>
    public string Text { get; }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>The canonical text, which parses back to the same layers.</summary>
    public string Canonical => string.Join(' ', Layers.Select(l => l.ToCanonical()));

    /// <inheritdoc />
    public override string ToString() => Canonical;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="SpecParseException"/> pointing at the bad token.</summary>
    public static ArchitectureSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var layers = new List<LayerSpec>();
        int at = 0;
        while (true)
        {
            while (at < text.Length && (char.IsWhiteSpace(text[at]) || text[at] == ',' || text[at] == '>' || text[at] == '-'))
            {
                at++; // layers may be separated by spaces, commas or arrows
            }
            if (at >= text.Length)
            {
                break;
            }
            var m = TokenPattern().Match(text, at);
            if (!m.Success || m.Index != at)
            {
                int end = at;
                while (end < text.Length && !char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
                throw new SpecParseException(text, at, text[at..end], "cannot read a layer");
            }
            if (!m.Groups["args"].Success && text.IndexOf('(', m.Index + m.Length) is int open && open >= 0
                && text[(m.Index + m.Length)..open].All(char.IsWhiteSpace))
            {
                throw new SpecParseException(text, m.Index, text[m.Index..], "has an unclosed '('");
            }
            layers.Add(ParseLayer(text, m));
            at = m.Index + m.Length;
        }
        if (layers.Count == 0)
        {
            throw new SpecParseException(text, 0, text, "the spec has no layers");
        }
        return new ArchitectureSpec(text, layers);
    }

    /// <summary>
    /// The output shape of every layer, batch axis excluded, for <paramref name="inputShape"/> (e.g. [1,28,28] or [2]).
    /// Throws <see cref="SpecParseException"/> naming the first layer that does not fit its input.
    /// </summary>
    public IReadOnlyList<long[]> InferShapes(IReadOnlyList<long> inputShape)
    {
        var shapes = new List<long[]>(Layers.Count);
        var s = inputShape.ToArray();
        foreach (var l in Layers)
        {
            s = NextShape(l, s);
            if (s.Any(d => d <= 0))
            {
                throw Misfit(l, $"gives an empty output {FormatShape(s)}");
            }
            shapes.Add(s);
        }
        return shapes;
    }

    /// <summary>The input width of every layer (features for linear and 1-D batchnorm, channels for conv and 2-D batchnorm).</summary>
    public IReadOnlyList<long> InferInputWidths(IReadOnlyList<long> inputShape)
    {
        var outs = InferShapes(inputShape);
        var widths = new long[Layers.Count];
        for (int i = 0; i < Layers.Count; i++)
        {
            var input = i == 0 ? inputShape.ToArray() : outs[i - 1];
            widths[i] = input[0];
        }
        return widths;
    }

    /// <summary>Formats a shape as <c>[1,28,28]</c>.</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(',', shape) + "]";

    private long[] NextShape(LayerSpec l, long[] s)
    {
        switch (l.Kind)
        {
            case LayerKind.Linear:
                if (s.Length != 1)
                {
                    throw Misfit(l, $"needs a flat input but gets {FormatShape(s)}; add 'flatten' before it");
                }
                return [l.OutFeatures];
            case LayerKind.Conv:
                if (s.Length != 3)
                {
                    throw Misfit(l, $"needs a [channels,height,width] input but gets {FormatShape(s)}");
                }
                if (s[0] % l.Groups != 0 || l.OutFeatures % l.Groups != 0)
                {
                    throw Misfit(l, $"groups={l.Groups} must divide both input channels {s[0]} and output channels {l.OutFeatures}");
                }
                return [l.OutFeatures, ConvOut(s[1], l), ConvOut(s[2], l)];
            case LayerKind.MaxPool:
            case LayerKind.AvgPool:
                if (s.Length != 3)
                {
                    throw Misfit(l, $"needs a [channels,height,width] input but gets {FormatShape(s)}");
                }
                if (l.Padding * 2 > l.Kernel)
                {
                    throw Misfit(l, "padding must be at most half the kernel size");
                }
                return [s[0], ConvOut(s[1], l), ConvOut(s[2], l)];
            case LayerKind.Flatten:
                return [s.Aggregate(1L, (a, b) => a * b)];
            case LayerKind.BatchNorm:
                if (s.Length is not (1 or 3))
                {
                    throw Misfit(l, $"needs a flat or [channels,height,width] input but gets {FormatShape(s)}");
                }
                return s;
            default:
                return s;
        }
    }

    private static long ConvOut(long size, LayerSpec l)
    {
        long span = size + (2L * l.Padding) - ((long)l.Dilation * (l.Kernel - 1)) - 1;
        return span < 0 ? 0 : (span / l.Stride) + 1; // a window larger than the input leaves nothing
    }

    private SpecParseException Misfit(LayerSpec l, string problem) =>
        new(Text, l.Position, l.Token, $"layer {l.Kind.ToString().ToLowerInvariant()} {problem}");

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)(\s*\((?<args>[^()]*)\))?")]
    private static partial Regex TokenPattern();

    private static LayerSpec ParseLayer(string text, Match m)
    {
        string token = m.Value;
        int pos = m.Index;
        string name = m.Groups["name"].Value.ToLowerInvariant();
        bool hasArgs = m.Groups["args"].Success;
        var positional = new List<string>();
        var named = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (hasArgs)
        {
            foreach (var raw in m.Groups["args"].Value.Split(','))
            {
                var arg = raw.Trim();
                if (arg.Length == 0)
                {
                    throw new SpecParseException(text, pos, token, "empty argument");
                }
                int eq = arg.IndexOf('=');
                if (eq >= 0)
                {
                    var key = arg[..eq].Trim().ToLowerInvariant();
                    if (!named.TryAdd(key, arg[(eq + 1)..].Trim()))
                    {
                        throw new SpecParseException(text, pos, token, $"argument '{key}' given twice");
                    }
                }
                else if (named.Count > 0)
                {
                    throw new SpecParseException(text, pos, token, "positional argument after a named one");
                }
                else
                {
                    positional.Add(arg);
                }
            }
        }

        var reader = new ArgReader(text, pos, token, name, positional, named);
        LayerSpec layer = name switch
        {
            "linear" or "dense" or "fc" => new LayerSpec(LayerKind.Linear, token, pos)
            {
                OutFeatures = reader.Int(0, "out", null, min: 1),
            },
            "conv" or "conv2d" => ConvLayer(reader, token, pos),
            "maxpool" or "maxpool2d" => PoolLayer(LayerKind.MaxPool, reader, token, pos),
            "avgpool" or "avgpool2d" => PoolLayer(LayerKind.AvgPool, reader, token, pos),
            "relu" => new LayerSpec(LayerKind.Relu, token, pos),
            "sigmoid" => new LayerSpec(LayerKind.Sigmoid, token, pos),
            "tanh" => new LayerSpec(LayerKind.Tanh, token, pos),
            "leakyrelu" => new LayerSpec(LayerKind.LeakyRelu, token, pos)
            {
                Slope = reader.Double(0, "slope", 0.01, min: 0, max: double.MaxValue),
            },
            "dropout" => new LayerSpec(LayerKind.Dropout, token, pos)
            {
                P = reader.Double(0, "p", 0.5, min: 0, max: 0.999999),
            },
            "flatten" => new LayerSpec(LayerKind.Flatten, token, pos),
            "batchnorm" or "bn" => new LayerSpec(LayerKind.BatchNorm, token, pos)
            {
                Eps = reader.Double(0, "eps", 1e-5, min: 1e-12, max: 1),
                Momentum = reader.Double(1, "momentum", 0.1, min: 0, max: 1),
            },
            _ => throw new SpecParseException(text, pos, token,
                $"unknown layer '{name}' (known: linear, conv, maxpool, avgpool, relu, sigmoid, tanh, leakyrelu, dropout, flatten, batchnorm)"),
        };
        reader.EnsureAllUsed();
        return layer;
    }

    private static LayerSpec ConvLayer(ArgReader r, string token, int pos) => new(LayerKind.Conv, token, pos)
    {
        OutFeatures = r.Int(0, "out", null, min: 1),
        Kernel = r.Int(1, "kernel", null, min: 1),
        Stride = r.Int(2, "stride", 1, min: 1),
        Padding = r.Int(3, "pad", 0, min: 0, alias: "padding"),
        Dilation = r.Int(4, "dilation", 1, min: 1),
        Groups = r.Int(5, "groups", 1, min: 1),
    };

    private static LayerSpec PoolLayer(LayerKind kind, ArgReader r, string token, int pos)
    {
        int kernel = r.Int(0, "kernel", null, min: 1);
        return new LayerSpec(kind, token, pos)
        {
            Kernel = kernel,
            Stride = r.Int(1, "stride", kernel, min: 1),
            Padding = r.Int(2, "pad", 0, min: 0, alias: "padding"),
        };
    }

    private sealed class ArgReader(string text, int pos, string token, string layer, List<string> positional, Dictionary<string, string> named)
    {
        private readonly HashSet<int> _usedPositions = [];

        public int Int(int index, string key, int? dflt, int min, string? alias = null)
        {
            var raw = Take(index, key, alias);
            if (raw is null)
            {
                return dflt ?? throw Fail($"{layer} needs '{key}'");
            }
            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > 100_000)
            {
                throw Fail($"'{key}' must be a whole number from {min}, not '{raw}'");
            }
            return v;
        }

        public double Double(int index, string key, double dflt, double min, double max)
        {
            var raw = Take(index, key, null);
            if (raw is null)
            {
                return dflt;
            }
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
            {
                throw Fail($"'{key}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{raw}'");
            }
            return v;
        }

        public void EnsureAllUsed()
        {
            if (named.Count > 0)
            {
                throw Fail($"{layer} has no argument '{named.Keys.First()}'");
            }
            for (int i = 0; i < positional.Count; i++)
            {
                if (!_usedPositions.Contains(i))
                {
                    throw Fail($"{layer} takes at most {_usedPositions.Count} positional argument(s)");
                }
            }
        }

        private string? Take(int index, string key, string? alias)
        {
            string? fromName = null;
            if (named.Remove(key, out var v) || (alias is not null && named.Remove(alias, out v)))
            {
                fromName = v;
            }
            string? fromPos = index < positional.Count ? positional[index] : null;
            if (fromPos is not null)
            {
                _usedPositions.Add(index);
            }
            if (fromName is not null && fromPos is not null)
            {
                throw Fail($"'{key}' given twice");
            }
            return fromName ?? fromPos;
        }

        private SpecParseException Fail(string problem) => new(text, pos, token, problem);
    }
}
