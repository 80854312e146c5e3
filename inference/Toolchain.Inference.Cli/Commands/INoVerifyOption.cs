using CommandLine;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>
/// The <c>--no-verify</c> option of every command that loads a model, declared once: the runtime options carry it
/// (<see cref="RuntimeOptions"/>), and export, which loads its model on the CPU without them, implements it too.
/// </summary>
internal interface INoVerifyOption
{
    /// <summary>Whether to load a model that fails its card's integrity check.</summary>
    [Option("no-verify", HelpText = "Load the model even if it fails the integrity check recorded in its card at export (graph digest, reference outputs).")]
    bool NoVerify { get; set; }
}
