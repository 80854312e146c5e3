using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// A model file fails the integrity check recorded in its card at export: its graph or weights differ from the
/// recorded digest, or it no longer reproduces the recorded reference outputs. The message is one line starting with
/// the path, saying what differs and how to proceed.
/// </summary>
public sealed class ModelIntegrityException : ToolchainException
{
    /// <summary>The remedy the library's message offers; front ends replace it with their own switch (e.g. --no-verify).</summary>
    public const string DefaultRemedy = "set VerifyIntegrity to false to load it anyway";

    /// <summary>Creates the error for <paramref name="path"/>; <paramref name="problem"/> says what differs.</summary>
    public ModelIntegrityException(string path, string problem, string remedy = DefaultRemedy)
        : base($"{path}: {problem}; re-export it, or {remedy}")
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The model file, as the caller named it.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the path and the remedy, e.g. "fails its integrity check (…)".</summary>
    public string Problem { get; }
}
