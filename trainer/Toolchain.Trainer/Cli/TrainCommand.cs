namespace Toolchain.Trainer.Cli;

/// <summary>The <c>trainer train</c> command.</summary>
public static class TrainCommand
{
    /// <summary>Runs the command with the words after its name; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("trainer: 'train' is not implemented yet");
        return 1;
    }
}
