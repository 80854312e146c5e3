using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>What of the backbone trains after the head: nothing (frozen), its last stage, or all of it.</summary>
public enum FineTuneMode
{
    /// <summary>The backbone stays frozen; only the head trains, on features computed once.</summary>
    None,

    /// <summary>The head trains first, then the last stage with it, on activations cached where that stage starts.</summary>
    Last,

    /// <summary>The head trains first, then the whole backbone with it, on the pictures (augmented) every epoch.</summary>
    All,
}

/// <summary>The text of <see cref="FineTuneMode"/> values, on the command line and in the card.</summary>
public static class FineTuneText
{
    /// <summary>"none", "last" or "all".</summary>
    public static string Of(FineTuneMode mode) => mode switch
    {
        FineTuneMode.None => "none",
        FineTuneMode.Last => "last",
        FineTuneMode.All => "all",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The mode <paramref name="text"/> names (frozen is a synonym of none); anything else is one line naming the flag.</summary>
    public static FineTuneMode Parse(string? text) => text switch
    {
        null or "none" or "frozen" => FineTuneMode.None,
        "last" => FineTuneMode.Last,
        "all" => FineTuneMode.All,
        _ => throw new ToolchainException($"--fine-tune: unknown value '{text}' (known: none, last, all)"),
    };
}
