using Toolchain.Contracts;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>Loads the model a command names, turning every failure into a one-line user error.</summary>
internal static class ModelLoader
{
    /// <summary>How the integrity error tells a CLI user to load the model anyway.</summary>
    public const string NoVerifyRemedy = "pass --no-verify to load it anyway";

    public static OnnxModel Load(ModelOptions options, CliConsole console) =>
        Load(options.Model, options.Provider, options.Threads, console, options.ForeignInput(), verify: !options.NoVerify);

    public static OnnxModel Load(string path, ExecutionProvider provider, int threads, CliConsole console, ForeignModelInput? foreign = null, bool verify = true)
    {
        if (threads < 0)
        {
            throw new ToolchainException($"--threads must be 0 or more, not {threads}");
        }
        var options = new OnnxModelOptions
        {
            Provider = provider,
            IntraOpThreads = threads,
            LoggerFactory = new NoticeLoggerFactory(console),
            ForeignInput = foreign,
            VerifyIntegrity = verify,
        };
        try
        {
            return Guarded(path, () => OnnxModel.Load(path, options));
        }
        catch (ModelIntegrityException e)
        {
            // The library names its own option; on the command line the switch is --no-verify.
            throw new ModelIntegrityException(e.FilePath, e.Problem, NoVerifyRemedy);
        }
    }

    /// <summary>What the model at <paramref name="path"/> declares; it needs no model card (see <see cref="OnnxModel.Describe"/>).</summary>
    public static ModelInfo Describe(string path, CliConsole console) =>
        Guarded(path, () => OnnxModel.Describe(path, new OnnxModelOptions
        {
            Provider = ExecutionProvider.Cpu,
            IntraOpThreads = 1,
            LoggerFactory = new NoticeLoggerFactory(console),
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
