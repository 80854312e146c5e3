using System.Globalization;
using CommandLine;
using Spectre.Console;
using Toolchain.Cli;
using Toolchain.Contracts;
using Toolchain.Data;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// The <c>trainer data</c> command: <c>fetch</c> downloads a catalog dataset, <c>info</c> describes one.
/// The work is in <see cref="DatasetDownloader"/> and <see cref="DatasetResolver"/>; this only parses and prints.
/// </summary>
public static class DataCommand
{
    /// <summary>Options of <c>trainer data fetch</c>.</summary>
    [Verb("fetch", HelpText = "Download a dataset, verify its checksums and put it in the data folder.")]
    public sealed class FetchOptions
    {
        /// <summary>The catalog dataset to download.</summary>
        [Value(0, MetaName = "dataset", Required = true, HelpText = "mnist or fashion-mnist.")]
        public string Dataset { get; set; } = "";

        /// <summary>Where to put the files instead of the data folder.</summary>
        [Option("dir", MetaValue = "DIR", HelpText = "Folder for the files (default: data/<dataset> under $TOOLCHAIN_DATA, else ./data).")]
        public string? Dir { get; set; }
    }

    /// <summary>Options of <c>trainer data info</c>.</summary>
    [Verb("info", HelpText = "Show split sizes, counts per class, image size and pixel mean and std.")]
    public sealed class InfoOptions
    {
        /// <summary>A dataset name or a folder of IDX files.</summary>
        [Value(0, MetaName = "dataset", Required = true, HelpText = "auto, mnist, mnist-sample, fashion-mnist or a folder of IDX files.")]
        public string Dataset { get; set; } = "";
    }

    /// <summary>Runs the command with the words after its name; returns the exit code.</summary>
    public static int Run(string[] args) =>
        Run(args, Console.Out, Console.Error, richOutput: !Console.IsOutputRedirected);

    /// <summary>
    /// Runs the command writing to <paramref name="stdout"/> and <paramref name="stderr"/>; tables and progress bars
    /// only when <paramref name="richOutput"/> (a terminal), plain lines otherwise. User errors are thrown as
    /// <see cref="ToolchainException"/> for the dispatcher to print.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool richOutput)
    {
        using var parser = CliParser.Create();
        var result = parser.ParseArguments<FetchOptions, InfoOptions>(args);
        return result.MapResult(
            (FetchOptions o) => Fetch(o, stdout, richOutput),
            (InfoOptions o) => Info(o, stdout, stderr, richOutput),
            errors => Usage(result, errors, stdout, stderr));
    }

    private static int Usage(ParserResult<object> result, IEnumerable<Error> errors, TextWriter stdout, TextWriter stderr)
    {
        var list = errors.ToList();
        // A bad command line gets the whole usage with its errors listed, on standard error.
        var help = CliParser.Help(result, "usage: trainer data fetch <mnist|fashion-mnist> [--dir DIR]\n       trainer data info <name|DIR>",
            verbsIndex: list.Any(e => e is NoVerbSelectedError or BadVerbSelectedError or HelpVerbRequestedError), listErrors: true);
        if (CliParser.AsksForHelp(list))
        {
            stdout.WriteLine(help);
            return ExitCodes.Ok;
        }
        stderr.WriteLine(help);
        return ExitCodes.Failed;
    }

    private static int Fetch(FetchOptions options, TextWriter stdout, bool rich)
    {
        var catalog = DatasetCatalog.Default;
        var entry = catalog.Find(options.Dataset);
        var downloadable = catalog.Entries.Where(e => e.Mirrors.Count > 0).Select(e => e.Name).Order(StringComparer.Ordinal);
        if (entry is null)
        {
            throw new ToolchainException($"unknown dataset '{options.Dataset}': fetch one of {string.Join(", ", downloadable)}");
        }
        if (entry.Mirrors.Count == 0)
        {
            throw new ToolchainException($"{entry.Name} ships with the repository in data/{entry.FolderName}; there is nothing to fetch");
        }
        var dir = Path.GetFullPath(options.Dir ?? DatasetResolver.FolderOf(entry, DataPaths.DefaultRoot()));
        using var downloader = new DatasetDownloader();
        IReadOnlyList<string> paths;
        if (rich)
        {
            paths = FetchWithProgressBars(downloader, entry, dir, stdout);
        }
        else
        {
            stdout.WriteLine($"fetching {entry.Name} into {dir}");
            paths = downloader.Download(entry, dir, new PlainProgress(stdout));
        }
        stdout.WriteLine($"{entry.Name}: {paths.Count} files verified in {dir}");
        return ExitCodes.Ok;
    }

    private static IReadOnlyList<string> FetchWithProgressBars(DatasetDownloader downloader, DatasetEntry entry, string dir, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        IReadOnlyList<string> paths = [];
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new SyncProgress(p =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(p.FileName, out var task))
                        {
                            task = context.AddTask(Markup.Escape(p.FileName), maxValue: p.TotalBytes ?? 1);
                            tasks[p.FileName] = task;
                        }
                        if (p.TotalBytes is { } total)
                        {
                            task.MaxValue = total;
                        }
                        task.Value = p.BytesReceived;
                        if (p.Completed)
                        {
                            task.Value = task.MaxValue;
                            task.StopTask();
                        }
                    }
                });
                paths = downloader.Download(entry, dir, progress);
            });
        return paths;
    }

    private static int Info(InfoOptions options, TextWriter stdout, TextWriter stderr, bool rich)
    {
        var data = DatasetResolver.Load(options.Dataset, DataPaths.DefaultRoot(), n => stderr.WriteLine($"trainer: {n}"),
            new DatasetResolverOptions { AllowDownload = false });
        var summary = DatasetSummary.Of(data);
        if (rich)
        {
            WriteRich(summary, stdout);
        }
        else
        {
            WritePlain(summary, stdout);
        }
        return ExitCodes.Ok;
    }

    private static void WritePlain(DatasetSummary s, TextWriter stdout)
    {
        stdout.WriteLine($"dataset  {s.Data.Name}");
        stdout.WriteLine($"folder   {s.Data.Directory}");
        stdout.WriteLine($"images   {s.Data.Train.Rows}x{s.Data.Train.Cols}, {s.Data.ClassNames.Count} classes");
        stdout.WriteLine();
        WriteColumns(stdout,
        [
            ["split", "images", "pixel mean", "pixel std"],
            ["train", Count(s.Data.Train.Count), F(s.TrainPixels.Mean), F(s.TrainPixels.Std)],
            ["test", Count(s.Data.Test.Count), F(s.TestPixels.Mean), F(s.TestPixels.Std)],
        ]);
        stdout.WriteLine();
        var rows = new List<string[]> { new[] { "label", "class", "train", "test" } };
        rows.AddRange(s.Data.ClassNames.Select((name, i) => new[] { Count(i), TerminalText.Escape(name), Count(s.TrainPerClass[i]), Count(s.TestPerClass[i]) }));
        rows.Add(["", "total", Count(s.Data.Train.Count), Count(s.Data.Test.Count)]);
        WriteColumns(stdout, rows);
    }

    private static void WriteRich(DatasetSummary s, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        console.MarkupLine($"[bold]{Markup.Escape(s.Data.Name)}[/]  {Markup.Escape(s.Data.Directory)}");
        console.MarkupLine($"images {s.Data.Train.Rows}x{s.Data.Train.Cols}, {s.Data.ClassNames.Count} classes");
        var splits = new Table().AddColumns("split", "images", "pixel mean", "pixel std");
        splits.Columns[1].RightAligned();
        splits.AddRow("train", Count(s.Data.Train.Count), F(s.TrainPixels.Mean), F(s.TrainPixels.Std));
        splits.AddRow("test", Count(s.Data.Test.Count), F(s.TestPixels.Mean), F(s.TestPixels.Std));
        console.Write(splits);
        var classes = new Table().AddColumns("label", "class", "train", "test");
        classes.Columns[2].RightAligned();
        classes.Columns[3].RightAligned();
        for (var i = 0; i < s.Data.ClassNames.Count; i++)
        {
            classes.AddRow(Count(i), Markup.Escape(TerminalText.Escape(s.Data.ClassNames[i])), Count(s.TrainPerClass[i]), Count(s.TestPerClass[i]));
        }
        classes.AddRow("", "[bold]total[/]", Count(s.Data.Train.Count), Count(s.Data.Test.Count));
        console.Write(classes);
    }

    private static void WriteColumns(TextWriter stdout, IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            stdout.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>What <c>info</c> prints, computed once.</summary>
    private sealed record DatasetSummary(LoadedDataset Data, PixelStatistics TrainPixels, PixelStatistics TestPixels,
        int[] TrainPerClass, int[] TestPerClass)
    {
        public static DatasetSummary Of(LoadedDataset data) => new(data,
            PixelStatistics.Compute(data.Train), PixelStatistics.Compute(data.Test),
            data.Train.CountPerClass(data.ClassNames.Count), data.Test.CountPerClass(data.ClassNames.Count));
    }

    /// <summary>One line per file when it starts and when it is verified: readable in logs and CI.</summary>
    private sealed class PlainProgress(TextWriter stdout) : IProgress<DownloadProgress>
    {
        private (string, Uri)? _current;

        public void Report(DownloadProgress value)
        {
            if (value.Completed)
            {
                stdout.WriteLine($"  {value.FileName}: {value.BytesReceived.ToString("N0", CultureInfo.InvariantCulture)} bytes, checksum ok");
                _current = null;
            }
            else if (_current != (value.FileName, value.Source))
            {
                _current = (value.FileName, value.Source);
                stdout.WriteLine($"  {value.FileName} from {value.Source}");
            }
        }
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
