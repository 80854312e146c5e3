using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Trainer.Models;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// The head on a backbone's feature vector: an <see cref="ArchitectureSpec"/> that takes [width] and ends in one logit
/// per class. Without <c>--head</c> two candidates are trained and the one that validates better is kept.
/// </summary>
public static class HeadSpec
{
    /// <summary>Hidden units of the default one-hidden-layer head.</summary>
    public const int HiddenUnits = 256;

    /// <summary>The default candidates for <paramref name="classes"/> classes: linear, then one hidden layer with dropout.</summary>
    public static IReadOnlyList<string> DefaultCandidates(int classes) =>
    [
        Linear(classes),
        string.Create(CultureInfo.InvariantCulture, $"linear({HiddenUnits}) relu dropout(0.5) linear({classes})"),
    ];

    /// <summary>A linear head for <paramref name="classes"/> classes.</summary>
    public static string Linear(int classes) => string.Create(CultureInfo.InvariantCulture, $"linear({classes})");

    /// <summary>
    /// Parses <paramref name="text"/> as a head on <paramref name="width"/> features for <paramref name="classes"/>
    /// classes; a spec that does not parse, does not take a vector or does not end in [classes] is one line naming --head.
    /// </summary>
    public static ArchitectureSpec Parse(string text, long width, int classes)
    {
        ArchitectureSpec spec;
        IReadOnlyList<long[]> shapes;
        try
        {
            spec = ArchitectureSpec.Parse(text);
            shapes = spec.InferShapes([width]);
        }
        catch (SpecParseException e)
        {
            throw new ToolchainException($"--head: {e.Problem} at '{e.Token}' (character {e.Position + 1}); the head takes the backbone's {width} features");
        }
        var output = shapes[^1];
        if (output.Length != 1 || output[0] != classes)
        {
            throw new ToolchainException(
                $"--head: '{text}' ends in {ArchitectureSpec.FormatShape(output)} but the dataset has {classes} classes; end with linear({classes})");
        }
        return spec;
    }
}
