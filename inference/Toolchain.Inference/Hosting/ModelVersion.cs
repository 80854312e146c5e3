namespace Toolchain.Inference.Hosting;

/// <summary>Identifies one loaded copy of a model file: its content hash and when it was loaded.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
/// <param name="LoadedAt">When this copy finished loading.</param>
/// <param name="Generation">1 for the first model a host loads, then one more for each successful reload.</param>
public sealed record ModelVersion(string Sha256, DateTimeOffset LoadedAt, long Generation)
{
    /// <summary>The first 12 hex digits of <see cref="Sha256"/>: short, and unique enough to tell models apart.</summary>
    public string Id => Sha256[..Math.Min(12, Sha256.Length)];

    /// <inheritdoc />
    public override string ToString() => Id;
}
