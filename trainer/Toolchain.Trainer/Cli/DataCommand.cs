namespace Toolchain.Trainer.Cli;

/// <summary>The <c>trainer data</c> command.</summary>
public static class DataCommand
{
    /// <summary>Runs the command with the words after its name; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("trainer: 'data' is not implemented yet");
        return 1;
    }
}
