namespace Toolchain.Contracts;

/// <summary>
/// An error meant for the user: its message is one complete line, printed as is by the CLIs
/// (no exception type, no stack trace). Anything else that escapes is a bug.
/// </summary>
public class ToolchainException : Exception
{
    /// <summary>Creates an error whose message is shown to the user verbatim.</summary>
    public ToolchainException(string message) : base(message) { }

    /// <summary>Creates an error whose message is shown to the user verbatim, keeping the cause for logs.</summary>
    public ToolchainException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A file the user gave us is missing, unreadable or malformed. The message starts with the path.</summary>
public sealed class InvalidInputFileException : ToolchainException
{
    /// <summary>Creates an error for <paramref name="path"/> describing <paramref name="problem"/>.</summary>
    public InvalidInputFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner ?? new InvalidDataException(problem))
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The offending file, as the user named it.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
