using System.Text.Json.Serialization;

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
