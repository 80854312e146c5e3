namespace Toolchain.Inference.Hosting;

/// <summary>Identifies one loaded copy of a model file: its content hash and when it was loaded.</summary>
public sealed record ModelVersion
{
    /// <summary>Lower-case hex SHA-256 of the file's bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>When this copy finished loading.</summary>
    public required DateTimeOffset LoadedAt { get; init; }

    /// <summary>1 for the first model a host loads, then one more for each successful reload.</summary>
    public required long Generation { get; init; }

    /// <summary>The first 12 hex digits of <see cref="Sha256"/>: short, and unique enough to tell models apart.</summary>
    public string Id => Sha256[..Math.Min(12, Sha256.Length)];

    /// <inheritdoc />
    public override string ToString() => Id;
}
