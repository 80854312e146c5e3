using Toolchain.Contracts;

namespace Toolchain.Trainer.Models;

/// <summary>
/// A spec that does not parse or does not fit its input. The message names the token and shows the spec
/// with a caret under it, e.g. <c>arch: unknown layer 'foo' at 12</c>.
/// </summary>
public sealed class SpecParseException : ToolchainException
{
    /// <summary>Creates the error for <paramref name="token"/> at <paramref name="position"/> in <paramref name="spec"/>.</summary>
    public SpecParseException(string spec, int position, string token, string problem)
        : base(Format(spec, position, token, problem))
    {
        Position = position;
        Token = token;
        Problem = problem;
    }

    /// <summary>Zero-based offset of the offending token.</summary>
    public int Position { get; }

    /// <summary>The offending token.</summary>
    public string Token { get; }

    /// <summary>What is wrong, without the spec and caret.</summary>
    public string Problem { get; }

    /// <summary>The message on one line, for logs that want no caret drawing.</summary>
    public string OneLine => $"arch: {Problem} at '{Token}' (character {Position + 1})";

    private static string Format(string spec, int position, string token, string problem) =>
        $"arch: {problem} at '{token}' (character {position + 1}): {spec.Substring(0, position)}>>>{token}<<<{spec.Substring(Math.Min(spec.Length, position + token.Length))}";
}
