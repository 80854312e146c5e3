using System.Text.RegularExpressions;
using Toolchain.Trainer.Models.Layers;

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
            try
            {
                s = l.OutputShape(s);
            }
            catch (LayerMisfit m)
            {
                throw Misfit(l, m.Problem);
            }
            if (s.Any(d => d <= 0))
            {
                throw Misfit(l, $"gives an empty output {FormatShape(s)}");
            }
            shapes.Add(s);
        }
        return shapes;
    }

    /// <summary>The input shape of every layer, batch axis excluded: <paramref name="inputShape"/>, then each layer's output but the last.</summary>
    public IReadOnlyList<long[]> InferInputShapes(IReadOnlyList<long> inputShape)
    {
        var outputs = InferShapes(inputShape);
        return [inputShape.ToArray(), .. outputs.Take(outputs.Count - 1)];
    }

    /// <summary>Formats a shape as <c>[1,28,28]</c>.</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(',', shape) + "]";

    private SpecParseException Misfit(LayerSpec l, string problem) =>
        new(Text, l.Position, l.Token, $"layer {l.Name} {problem}");

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
        return LayerCatalog.Parse(new LayerArgs(text, pos, token, name, positional, named));
    }
}
