using CommandLine;
using Toolchain.Data;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// The <c>--data-dir</c> option of <c>trainer train</c> and <c>trainer export</c>, declared once: where catalog
/// datasets live. CommandLineParser reads options declared on an interface a command's options implement.
/// </summary>
internal interface IDataDirOption
{
    /// <summary>The folder given, or null for the default.</summary>
    [Option("data-dir", HelpText = "where catalog datasets live (default $TOOLCHAIN_DATA, else ./data)")]
    string? DataDir { get; set; }

    /// <summary>The full path of the data folder: <c>--data-dir</c>, else $TOOLCHAIN_DATA, else ./data.</summary>
    static string FolderOf(IDataDirOption options) =>
        Path.GetFullPath(CommandArguments.PathOption("--data-dir", options.DataDir) ?? DataPaths.DefaultRoot());
}
