using Toolchain.Contracts;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Cli.Output;

/// <summary>Checks a folder a command will write to, so that "it is a file" is said in words, not as an IOException.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Throws when <paramref name="path"/>, or a folder above it, exists as a file. <paramref name="label"/> names the
    /// folder as the user knows it, e.g. "--out results".
    /// </summary>
    public static void Require(string path, string label)
    {
        var full = Path.GetFullPath(path);
        for (var p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p))
            {
                return;
            }
            if (File.Exists(p))
            {
                throw new ToolchainException(p == full
                    ? $"{label} is a file, not a folder"
                    : $"{label}: {p} is a file, not a folder");
            }
        }
    }
}
