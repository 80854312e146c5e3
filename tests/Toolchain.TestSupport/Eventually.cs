namespace Toolchain.TestSupport;

/// <summary>
/// Waits for state that raises no event (a queue length, say) to become true, checking every few milliseconds, with a
/// generous deadline that only a broken build reaches. Not a sleep to let something happen: it returns as soon as the
/// condition holds, and fails with <paramref name="what"/> if it never does.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Returns once <paramref name="condition"/> is true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after 30 s.</summary>
    public static Task TrueAsync(Func<bool> condition, string what) => TrueAsync(() => Task.FromResult(condition()), what);

    /// <summary>As <see cref="TrueAsync(Func{bool}, string)"/>, for a condition that must ask asynchronously (an HTTP scrape, say).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var giveUp = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"still not true after {Deadline.TotalSeconds:F0} s: {what}");
            }
            await Task.Delay(5);
        }
    }
}
