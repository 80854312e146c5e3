using CommandLine;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Commands;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli;

/// <summary>Entry point of the <c>infer</c> executable.</summary>
public static class InferCli
{
    /// <summary>Runs the command line against the process's console and returns the exit code.</summary>
    public static int Run(string[] args)
    {
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
            // is what made the write fail. The code is the one the signal itself would have ended the process with.
            console.Fail("interrupted");
            return ExitCodes.ForSignal(TemporaryPaths.EndingSignal);
        }
        catch (ToolchainException e)
        {
            console.Fail(e.Message);
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else is a bug, but the user still gets one line rather than a stack trace.
            console.Fail($"unexpected error: {CliConsole.OneLine(e.Message)}");
            return ExitCodes.Failed;
        }
        finally
        {
            output.Flush();
            error.Flush();
        }
    }

    private static int Dispatch(string[] args, CliConsole console)
    {
        using var parser = CliParser.Create(autoVersion: true);
        var result = parser.ParseArguments<EvalOptions, EvalAllOptions, ClassifyOptions, PredictOptions, InfoOptions, BenchOptions, ImagesOptions, ExportOptions, QuantizeOptions>(args);
        return result.MapResult(
            (EvalOptions o) => EvalCommand.Run(o, console),
            (EvalAllOptions o) => EvalAllCommand.Run(o, console),
            (ClassifyOptions o) => ClassifyCommand.Run(o, console),
            (PredictOptions o) => PredictCommand.Run(o, console),
            (InfoOptions o) => InfoCommand.Run(o, console),
            (BenchOptions o) => BenchCommand.Run(o, console),
            (ImagesOptions o) => ImagesCommand.Run(o, console),
            (ExportOptions o) => ExportCommand.Run(o, console),
            (QuantizeOptions o) => QuantizeCommand.Run(o, console),
            errors => Usage(result, errors.ToList(), console));
    }

    private static int Usage(ParserResult<object> result, List<Error> errors, CliConsole console)
    {
        if (errors.Any(e => e is VersionRequestedError))
        {
            console.Out.WriteLine($"infer {Contracts.ModelCard.CurrentVersion}");
            return ExitCodes.Ok;
        }
        var help = CliParser.Help(result, $"infer {Contracts.ModelCard.CurrentVersion}: evaluate and run Toolchain ONNX models",
            verbsIndex: true, autoVersion: true);
        if (CliParser.AsksForHelp(errors))
        {
            console.Out.WriteLine(help);
            return ExitCodes.Ok;
        }
        if (errors.Any(e => e is NoVerbSelectedError or BadVerbSelectedError))
        {
            console.Error.WriteLine(help);
            if (errors.OfType<BadVerbSelectedError>().FirstOrDefault() is { } bad)
            {
                console.Fail(CliParser.Describe(bad));
            }
            return ExitCodes.Failed;
        }
        var verb = result.TypeInfo.Current.GetCustomAttributes(typeof(VerbAttribute), inherit: false)
            .OfType<VerbAttribute>().FirstOrDefault()?.Name;
        console.Fail($"{CliParser.Describe(errors[0])} (see 'infer {verb} --help')");
        return ExitCodes.Failed;
    }
}
