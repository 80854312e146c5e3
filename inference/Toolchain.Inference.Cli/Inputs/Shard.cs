using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Inference.Cli.Inputs;

/// <summary>
/// Part <see cref="Index"/> (0-based, as Kubernetes' JOB_COMPLETION_INDEX) of <see cref="Count"/> of an input list.
/// The list is dealt round-robin: item k belongs to part k mod N. Every worker that expands the same arguments (the
/// expansion is sorted) gets a disjoint part, the parts together are the whole list, their sizes differ by at most one,
/// and no worker needs the list's length before it starts.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole list.</summary>
    public static Shard All => new(0, 1);

    /// <summary>Parses "i/N" with 0 ≤ i &lt; N; <paramref name="text"/> null is the whole list.</summary>
    public static Shard Parse(string? text)
    {
        if (text is null)
        {
            return All;
        }
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index < count)
        {
            return new Shard(index, count);
        }
        throw new ToolchainException($"--shard must be i/N with 0 <= i < N (e.g. 0/4 for the first of four parts), not '{text}'");
    }

    /// <summary>This part's items of <paramref name="items"/>, in their order.</summary>
    public IEnumerable<T> Of<T>(IEnumerable<T> items)
    {
        var (index, count) = (Index, Count);
        return items.Where((_, k) => k % count == index);
    }
}
