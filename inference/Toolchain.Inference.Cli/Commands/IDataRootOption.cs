using CommandLine;
using Toolchain.Data;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>
/// The <c>--data-root</c> option of every command that reads a catalog dataset (images, eval, eval-all, bench),
/// declared once. An interface rather than a base class like <see cref="RuntimeOptions"/>, because those commands
/// share no base (images loads no model); CommandLineParser reads options declared on an interface a verb implements.
/// </summary>
internal interface IDataRootOption
{
    /// <summary>The folder given, or null for the default.</summary>
    [Option("data-root", HelpText = "Folder holding the datasets (default: $TOOLCHAIN_DATA, else ./data).")]
    string? DataRoot { get; set; }

    /// <summary>The folder datasets are read from: <c>--data-root</c>, else $TOOLCHAIN_DATA, else ./data.</summary>
    static string FolderOf(IDataRootOption options) => options.DataRoot ?? DataPaths.DefaultRoot();
}
