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
        return Guarded(path, () => OnnxModel.Load(path, options));
    }

    /// <summary>What the model at <paramref name="path"/> declares; it needs no model card (see <see cref="OnnxModel.Describe"/>).</summary>
    public static ModelInfo Describe(string path, CliConsole console) =>
        Guarded(path, () => OnnxModel.Describe(path, new OnnxModelOptions
        {
            Provider = ExecutionProvider.Cpu,
            IntraOpThreads = 1,
            Log = console.Notice,
        }));

    private static T Guarded<T>(string path, Func<T> load)
    {
        try
        {
            return load();
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
