namespace Toolchain.Trainer.Cli;

/// <summary>The <c>trainer export</c> command.</summary>
public static class ExportCommand
{
    /// <summary>Runs the command with the words after its name; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("trainer: 'export' is not implemented yet");
        return 1;
    }
}
