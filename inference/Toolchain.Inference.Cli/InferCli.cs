using CommandLine;
using CommandLine.Text;
using Toolchain.Inference.Cli.Commands;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;
using Toolchain.Contracts;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Cli;

/// <summary>Entry point of the <c>infer</c> executable.</summary>
public static class InferCli
{
    /// <summary>Exit code: everything worked.</summary>
    public const int Ok = 0;

    /// <summary>Exit code: bad usage, or the model (or another required input) could not be used.</summary>
    public const int Failed = 1;

    /// <summary>Exit code: the command ran but some of its inputs (images, rows, models) failed.</summary>
    public const int PartlyFailed = 2;

    /// <summary>Exit code: stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>Runs the command line against the process's console and returns the exit code.</summary>
    public static int Run(string[] args)
    {
        OrtProcessLogging.RouteTo(null);
        TemporaryPaths.DeleteOnTermination();
        return Run(args, Console.Out, Console.Error, isTerminal: !Console.IsOutputRedirected);
    }

    /// <summary>
    /// Runs the command line writing results to <paramref name="output"/> and errors to <paramref name="error"/>, and
    /// returns the exit code. Never throws: failures are printed as one line starting with <c>infer:</c>.
    /// <paramref name="input"/> replaces standard input (for <c>predict -</c>); <paramref name="isTerminal"/> enables
    /// boxed tables and progress.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool isTerminal = false, TextReader? input = null)
    {
        var console = new CliConsole(output, error, isTerminal, input);
        try
        {
            return Dispatch(args, console);
        }
        catch (Exception) when (TemporaryPaths.Ending)
        {
            // Ctrl-C or SIGTERM arrived while files were being written; TemporaryPaths removed the partial ones, which
            // is what made the write fail.
            console.Fail("interrupted");
            return Interrupted;
        }
        catch (ToolchainException e)
        {
            console.Fail(e.Message);
            return Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else is a bug, but the user still gets one line rather than a stack trace.
            console.Fail($"unexpected error: {CliConsole.OneLine(e.Message)}");
            return Failed;
        }
        finally
        {
            output.Flush();
            error.Flush();
        }
    }

    private static int Dispatch(string[] args, CliConsole console)
    {
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = true;
            s.AutoVersion = true;
            s.MaximumDisplayWidth = 100;
        });
        var result = parser.ParseArguments<EvalOptions, EvalAllOptions, ClassifyOptions, PredictOptions, InfoOptions, BenchOptions, ImagesOptions>(args);
        return result.MapResult(
            (EvalOptions o) => EvalCommand.Run(o, console),
            (EvalAllOptions o) => EvalAllCommand.Run(o, console),
            (ClassifyOptions o) => ClassifyCommand.Run(o, console),
            (PredictOptions o) => PredictCommand.Run(o, console),
            (InfoOptions o) => InfoCommand.Run(o, console),
            (BenchOptions o) => BenchCommand.Run(o, console),
            (ImagesOptions o) => ImagesCommand.Run(o, console),
            errors => Usage(result, errors.ToList(), console));
    }

    private static int Usage(ParserResult<object> result, List<Error> errors, CliConsole console)
    {
        if (errors.Any(e => e is VersionRequestedError))
        {
            console.Out.WriteLine($"infer {Contracts.ModelCard.CurrentVersion}");
            return Ok;
        }
        var help = HelpText.AutoBuild(result, h =>
        {
            h.Heading = $"infer {Contracts.ModelCard.CurrentVersion}: evaluate and run Toolchain ONNX models";
            h.Copyright = "";
            h.AddDashesToOption = true;
            h.AdditionalNewLineAfterOption = false;
            return h;
        }, e => e, verbsIndex: true);
        if (errors.Any(e => e is HelpRequestedError or HelpVerbRequestedError))
        {
            console.Out.WriteLine(help);
            return Ok;
        }
        if (errors.Any(e => e is NoVerbSelectedError or BadVerbSelectedError))
        {
            console.Error.WriteLine(help);
            if (errors.OfType<BadVerbSelectedError>().FirstOrDefault() is { } bad)
            {
                console.Fail($"unknown command '{bad.Token}'");
            }
            return Failed;
        }
        var verb = result.TypeInfo.Current.GetCustomAttributes(typeof(VerbAttribute), inherit: false)
            .OfType<VerbAttribute>().FirstOrDefault()?.Name;
        var first = SentenceBuilder.Create().FormatError(errors[0]);
        console.Fail($"{first} (see 'infer {verb} --help')");
        return Failed;
    }
}
