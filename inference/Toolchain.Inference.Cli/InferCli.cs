namespace Toolchain.Inference.Cli;

/// <summary>Entry point of the <c>infer</c> executable.</summary>
public static class InferCli
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("infer: not implemented yet");
        return 1;
    }
}
