namespace Toolchain.Inference.Runtime;

/// <summary>What checking a model against the integrity record in its card found.</summary>
public enum IntegrityStatus
{
    /// <summary>
    /// Nothing to check: the model has no card, or a card without an integrity record (exported before such records
    /// existed, or written by another tool). Such models load as they always did.
    /// </summary>
    NotRecorded,

    /// <summary>The graph digest and the reference outputs recorded at export match the file and this runtime.</summary>
    Verified,

    /// <summary>The file differs from its record; <see cref="OnnxModel.Load"/> refuses it with <see cref="ModelIntegrityException"/>.</summary>
    Failed,

    /// <summary>The card has a record but verification was turned off (<see cref="OnnxModelOptions.VerifyIntegrity"/>).</summary>
    NotChecked,
}

/// <summary>The outcome of a model's integrity check.</summary>
public sealed record IntegrityReport
{
    /// <summary>What was found.</summary>
    public required IntegrityStatus Status { get; init; }

    /// <summary>
    /// One line: what was checked when verified, what differs when failed (e.g. "the graph or weights differ from the
    /// digest recorded at export"), why nothing was checked otherwise.
    /// </summary>
    public required string Detail { get; init; }

    /// <summary>The report of a model whose card records nothing to check.</summary>
    public static IntegrityReport NotRecorded { get; } = new()
    {
        Status = IntegrityStatus.NotRecorded,
        Detail = "the model carries no integrity record (exported without one, or by another tool)",
    };

    /// <summary>The report of a model with a record that was not checked.</summary>
    public static IntegrityReport NotChecked { get; } = new() { Status = IntegrityStatus.NotChecked, Detail = "integrity verification is off" };

    /// <summary>The status as a word for people and JSON: "verified", "not recorded", "failed" or "not checked".</summary>
    public string StatusText => Status switch
    {
        IntegrityStatus.Verified => "verified",
        IntegrityStatus.Failed => "failed",
        IntegrityStatus.NotChecked => "not checked",
        _ => "not recorded",
    };

    /// <summary>"status: detail", e.g. "failed: the graph or weights differ from the digest recorded at export".</summary>
    public override string ToString() => $"{StatusText}: {Detail}";
}
