using CommandLine;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Commands;

[Verb("images", HelpText = "Write dataset images as PNG files (e.g. real digits to classify or to post to the service).")]
internal sealed class ImagesOptions : IDataRootOption
{
    [Option("dataset", Default = "mnist-sample", HelpText = "Dataset name or IDX folder.")]
    public string Dataset { get; set; } = "";

    [Option("split", Default = "test", HelpText = "train or test.")]
    public string Split { get; set; } = "";

    [Option("start", Default = 0, HelpText = "Index of the first image.")]
    public int Start { get; set; }

    [Option("count", Default = 10, HelpText = "How many images.")]
    public int Count { get; set; }

    [Option("out", Required = true, HelpText = "Folder to write the PNG files to.")]
    public string Out { get; set; } = "";

    [Option("folders", HelpText = "Write the whole dataset as an image folder: OUT/{train,test}/<class>/NNNNN.png and classes.txt (--split, --start and --count do not apply).")]
    public bool Folders { get; set; }

    [Option("colour", HelpText = "With --folders: draw each image in random foreground and background colours, padded to 32×32 RGB.")]
    public bool Colour { get; set; }

    /// <inheritdoc />
    public string? DataRoot { get; set; }
}

/// <summary>Writes images of a dataset split as PNG files and lists them.</summary>
internal static class ImagesCommand
{
    public static int Run(ImagesOptions o, CliConsole console)
    {
        // Created (or refused in one line) before the dataset is read; removed again if nothing is written into it.
        using var created = OutputFolder.Create(o.Out, $"--out {o.Out}");
        var data = DatasetResolver.Load(o.Dataset, IDataRootOption.FolderOf(o), console.Notice,
            new DatasetResolverOptions { AllowDownload = false });
        if (o.Folders)
        {
            var written = ImageFolderWriter.Write(data, o.Out, o.Colour);
            console.Out.WriteLine($"wrote {written:N0} PNG files and classes.txt into {o.Out}");
            return ExitCodes.Ok;
        }
        if (o.Colour)
        {
            throw new ToolchainException("--colour applies to --folders");
        }
        var split = o.Split switch
        {
            "test" => data.Test,
            "train" => data.Train,
            _ => throw new ToolchainException($"--split must be train or test, not '{o.Split}'"),
        };
        var paths = ImageSetPngWriter.Write(split, data.ClassNames, o.Split, o.Start, o.Count, o.Out);
        foreach (var path in paths)
        {
            console.Out.WriteLine(path);
        }
        if (paths.Count < o.Count)
        {
            // The writer stops at the end of the split; say so, or a script asking for 10 files silently gets fewer.
            console.Notice($"only {paths.Count} images from {o.Start}; the {o.Split} split has {split.Count}");
        }
        return ExitCodes.Ok;
    }
}
