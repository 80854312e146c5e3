using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>Loads the model a command names, turning every failure into a one-line user error.</summary>
internal static class ModelLoader
{
    public static OnnxModel Load(ModelOptions options, CliConsole console) =>
        Load(options.Model, options.Provider, options.Threads, console, options.ForeignInput());

    public static OnnxModel Load(string path, ExecutionProvider provider, int threads, CliConsole console, ForeignModelInput? foreign = null)
    {
        if (threads < 0)
        {
            throw new ToolchainException($"--threads must be 0 or more, not {threads}");
        }
        var options = new OnnxModelOptions
        {
            Provider = provider,
            IntraOpThreads = threads,
            Log = console.Notice,
            ForeignInput = foreign,
        };
        try
        {
            return OnnxModel.Load(path, options);
        }
        catch (ToolchainException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The library should already say what is wrong; this is the last line of defence against a raw runtime error.
            throw new InvalidInputFileException(path, $"cannot load the model: {CliConsole.OneLine(e.Message)}", e);
        }
    }
}
