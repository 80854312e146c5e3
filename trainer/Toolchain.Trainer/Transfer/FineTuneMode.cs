using System.Text.Json.Serialization;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>What of the backbone trains after the head: nothing (frozen), its last stage, or all of it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FineTuneMode>))]
public enum FineTuneMode
{
    /// <summary>The backbone stays frozen; only the head trains, on features computed once.</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>The head trains first, then the last stage with it, on activations cached where that stage starts.</summary>
    [JsonStringEnumMemberName("last")]
    Last,

    /// <summary>The head trains first, then the whole backbone with it, on the pictures (augmented) every epoch.</summary>
    [JsonStringEnumMemberName("all")]
    All,
}

/// <summary>The <see cref="FineTuneMode"/> that <c>--fine-tune</c> names.</summary>
public static class FineTuneText
{
    /// <summary>The mode <paramref name="text"/> names (frozen is a synonym of none); anything else is one line naming the flag.</summary>
    public static FineTuneMode Parse(string? text) => text is null or "frozen"
        ? FineTuneMode.None
        : EnumText.ParseExact<FineTuneMode>(text) ?? throw new ToolchainException($"--fine-tune: unknown value '{text}' (known: {EnumText.Known<FineTuneMode>()})");
}
