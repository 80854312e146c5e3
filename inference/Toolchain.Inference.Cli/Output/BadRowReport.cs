namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// Counts the bad rows of one input and prints the first few as errors, then a single line counting the rest, so a file
/// of garbage (thousands of bad rows) cannot flood the terminal. With <paramref name="print"/> false it only counts:
/// the caller reports each row elsewhere (as JSON on standard output).
/// </summary>
internal sealed class BadRowReport(CliConsole console, string source, bool print = true, int limit = BadRowReport.DefaultLimit)
{
    /// <summary>How many bad rows are printed one by one.</summary>
    public const int DefaultLimit = 10;

    /// <summary>Bad rows seen so far.</summary>
    public int Count { get; private set; }

    /// <summary>Counts line <paramref name="line"/> of the input as bad for <paramref name="problem"/>.</summary>
    public void Add(int line, string problem)
    {
        Count++;
        if (print && Count <= limit)
        {
            console.Fail($"{source}:{line}: {problem}");
        }
    }

    /// <summary>Prints how many bad rows were not shown, if any.</summary>
    public void Finish()
    {
        if (print && Count > limit)
        {
            console.Fail($"... and {Count - limit} more bad rows in {source}");
        }
    }
}
